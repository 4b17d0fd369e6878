import Foundation
import SecurityInfoFormats

/// The report of `secinfo migrate`: `migration.csv`, one row per source user (migrated fully, partly or not at
/// all, and why), and `report.html` in the style of the engine's page. Neither holds a phone number or address:
/// moved methods are named by kind, and the rules' messages carry no values.
enum MigrationReport {
    static let columns = ["source_user", "target_user", "status", "moved", "must_reregister", "blocked", "reason"]

    static func write(_ result: Migration.Result, folder: String, reveal: Bool) throws(BatchError) {
        try InputDiscovery.makeFolder(folder)
        var csv: [UInt8] = []
        CSVWriter.append(columns, to: &csv)
        for user in result.users {
            CSVWriter.append(
                [
                    user.sourceUser, user.targetUser, user.status.rawValue, user.moved.joined(separator: "; "),
                    user.mustReregister.joined(separator: "; "), user.blocked.joined(separator: "; "), user.reason,
                ].map(spreadsheetSafe), to: &csv)
        }
        let files: [(String, [UInt8])] = [("migration.csv", csv), ("report.html", Array(html(result).utf8))]
        do {
            let sinks = try files.map { (name, bytes) throws(OutputError) -> AtomicFileSink in
                let sink = try AtomicFileSink(path: (folder as NSString).appendingPathComponent(name))
                try sink.write(bytes)
                return sink
            }
            for sink in sinks { try sink.commit() }
        } catch { throw .output(error) }
    }

    static func html(_ result: Migration.Result) -> String {
        let counts = Migration.Status.allCases.map { ($0, result.count($0)) }
        let colors: [Migration.Status: String] = [.fully: "#27ae60", .partly: "#d68910", .notAtAll: "#c0392b"]
        let total = max(result.users.count, 1)
        var bar =
            "<svg width=480 height=16 role=img aria-label='users by status'><rect width=480 height=16 fill='#eee'/>"
        var x = 0.0
        for (status, count) in counts where count > 0 {
            let width = 480 * Double(count) / Double(total)
            bar += "<rect x=\(Int(x)) width=\(Int(width.rounded(.up))) height=16 fill='\(colors[status]!)'/>"
            x += width
        }
        bar += "</svg>"
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>secinfo migrate report</title><style>
            body{font:14px/1.45 system-ui,sans-serif;color:#222;margin:0 auto;max-width:1100px;padding:24px}
            table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e5e5e5;padding:4px 8px;text-align:left;
            vertical-align:top}th{background:#f5f5f5}.muted{color:#777}.legend span{margin-right:14px}
            .legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
            </style></head><body><h1>secinfo migrate</h1>
            <p>\(escape(result.sourceTenant)) → \(escape(result.targetTenant)): \(result.users.count) source users, \
            \(result.changes) changes written.</p>\(bar)<p class=legend>
            """
        for (status, count) in counts {
            page += "<span><i style='background:\(colors[status]!)'></i>\(status.rawValue) \(count)</span>"
        }
        page += "</p><h2>Users</h2><table><tr><th>source user</th><th>target user</th><th>status</th><th>moved</th>"
        page += "<th>must register again</th><th>blocked</th><th>why</th></tr>"
        for user in result.users {
            page += "<tr><td>\(escape(user.sourceUser))</td><td>\(escape(user.targetUser))</td>"
            page += "<td style='color:\(colors[user.status]!)'>\(user.status.rawValue)</td>"
            page += "<td>\(escape(user.moved.joined(separator: ", ")))</td>"
            page += "<td>\(escape(user.mustReregister.joined(separator: ", ")))</td>"
            page += "<td>\(escape(user.blocked.joined(separator: "; ")))</td><td>\(escape(user.reason))</td></tr>"
        }
        return page + "</table><p class=muted>Every row is in migration.csv beside this page.</p></body></html>\n"
    }

    private static func escape(_ text: String) -> String { htmlEscaped(text) }
}
