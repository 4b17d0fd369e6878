import SecurityInfo
import SecurityInfoFormats

/// `report.html`: one self-contained page (inline CSS and SVG, nothing loaded from elsewhere) that a person reads
/// before approving a bulk change: per tenant the control totals and whether they balance, what would change or
/// changed, the rejections by rule with a few masked examples, the findings, the deletes against the threshold,
/// and small bar charts.
struct HTMLReport {
    struct Content {
        var command: BatchConfiguration.Command
        var startedAt: String
        var status: ExitStatus
        var inputs: [SummaryReport.Input]
        var tenants: [TenantTotals]
        var total: TenantTotals
        /// Per tenant, the changes the page shows and how many there are.
        var changes: [String: TenantChanges]
        /// A few users per tenant and finding, in export order.
        var findingExamples: [String: [FindingID: [String]]]
        var allowDeletesReason: String?
        var redaction: Redaction
    }

    /// How many rows of a kind the page shows before pointing to the CSV.
    static let rowsShown = 25
    static let examplesShown = 3

    /// What the page shows of a tenant's changes: the first few of each table, and the counts.
    struct TenantChanges {
        /// Applied or held changes, in input order.
        var changed: [(ChangeRow, ChangeResult)] = []
        var changedCount = 0
        /// Applied changes Graph cannot make (`--graph-requests`): each a step for a person, so all are listed.
        var manualSteps: [(ChangeRow, ChangeResult)] = []
        /// Rejected changes by rule: how many, and the first few.
        var rejected: [RuleID: (count: Int, examples: [(ChangeRow, ChangeResult)])] = [:]

        /// The changes of every tenant, in one reading of the change file and its results.
        /// Keyed by tenant as the totals are (`Redaction.tenant`).
        static func collect(changeFile: ChangeFile?, results: ChangeResults, redaction: Redaction)
            -> [String: TenantChanges]
        {
            guard let changeFile else { return [:] }
            var byTenant: [String: TenantChanges] = [:]
            for (row, result) in zip(changeFile.rows, results) {
                guard let result else { continue }
                let tenant = redaction.tenant(row.request.tenant)
                switch result.outcome {
                case .applied, .held:
                    if result.message.hasPrefix(GraphRequests.manualStepPrefix) {
                        byTenant[tenant, default: .init()].manualSteps.append((row, result))
                    }
                    byTenant[tenant, default: .init()].changedCount += 1
                    if byTenant[tenant]!.changed.count < rowsShown { byTenant[tenant]!.changed.append((row, result)) }
                case .rejected:
                    byTenant[tenant, default: .init()].rejected[result.rule!, default: (0, [])].count += 1
                    if byTenant[tenant]!.rejected[result.rule!]!.examples.count < examplesShown {
                        byTenant[tenant]!.rejected[result.rule!]!.examples.append((row, result))
                    }
                case .unchanged:
                    break
                }
            }
            return byTenant
        }
    }

    let content: Content

    /// Writes the page a tenant's section at a time, so that a run of many tenants does not hold it whole.
    func write(to sink: any ByteSink) throws(OutputError) {
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>secinfo \(content.command.rawValue) report</title>
            <style>\(Self.style)</style></head><body>
            <header><h1>secinfo \(content.command.rawValue)</h1>
            <p class="lead">\(escape(verdict))</p>
            <p class="meta">Started \(escape(content.startedAt)) · tool \(SecInfoVersion.tool) · rules \(RuleID.version) \
            · exit \(content.status.rawValue)\(content.total.isBalanced ? " · totals balance" : " · <b class=bad>totals do not balance</b>")</p>
            </header>
            """
        page += overview()
        try sink.write(Array(page.utf8))
        for tenant in content.tenants { try sink.write(Array(section(for: tenant).utf8)) }
        page = inputsTable()
        page += "<footer>Phone numbers and addresses are masked unless the run was given --reveal. "
        page += "Every row is in changes.csv, rejected.csv and findings.csv beside this page.</footer></body></html>\n"
        try sink.write(Array(page.utf8))
    }

    private var isPlan: Bool { content.command == .plan }

    private var verdict: String {
        switch content.status {
        case .success:
            content.command == .validate
                ? "Exports read and audited." : "Every change \(isPlan ? "would apply" : "applied") or was unchanged."
        case .rejections: "Some changes were rejected; the others \(isPlan ? "would apply" : "applied")."
        case .held:
            "At least one tenant is held by its delete threshold: nothing of it \(isPlan ? "would be" : "was") applied."
        default: "The run failed."
        }
    }

    // MARK: Sections

    private func overview() -> String {
        var html = "<section><h2>All tenants</h2><table><tr><th>tenant</th><th>applied</th><th>unchanged</th>"
        html += "<th>rejected</th><th>held</th><th>deletes / limit</th><th>findings</th><th>balanced</th><th></th></tr>"
        for tenant in content.tenants + [content.total] {
            let name = tenant.tenant == "total" && tenant == content.total ? "<b>total</b>" : escape(tenant.tenant)
            html += "<tr><td>\(name)\(tenant.isInScope ? "" : " <span class=muted>(not in scope)</span>")</td>"
            html += "<td>\(tenant.changes.applied)</td><td>\(tenant.changes.unchanged)</td>"
            html += "<td>\(tenant.changes.rejected)</td><td>\(tenant.changes.held)</td>"
            html +=
                "<td>\(tenant.deletes)\(tenant.deleteLimit.map { " / \($0)" } ?? "")\(tenant.isHeld ? " <b class=bad>held</b>" : "")</td>"
            html += "<td>\(tenant.findings.values.reduce(0, +))</td>"
            html += "<td>\(tenant.isBalanced ? "<span class=good>yes</span>" : "<b class=bad>no</b>")</td>"
            html += "<td>\(outcomeBar(tenant.changes, width: 160))</td></tr>"
        }
        return html + "</table></section>"
    }

    private func section(for tenant: TenantTotals) -> String {
        var html = "<section><h2>\(escape(tenant.tenant))"
        html +=
            tenant.isBalanced ? " <span class=badge>balanced</span>" : " <span class='badge bad'>not balanced</span>"
        if !tenant.isInScope { html += " <span class='badge muted'>not in scope</span>" }
        html += "</h2>"
        if tenant.isHeld {
            html += "<p class=held>Held by R-THRESHOLD-DELETES: \(tenant.deletes) deletes exceed the limit of "
            html += "\(tenant.deleteLimit ?? 0). Nothing of this tenant \(isPlan ? "would be" : "was") applied and its "
            html +=
                "export is written as it was. <code>--allow-deletes \(escape(tenant.tenant))=N --reason TEXT</code> "
            html += "raises the limit for one run.</p>"
        } else if tenant.deleteLimitRaised, let reason = content.allowDeletesReason {
            html += "<p class=note>Delete limit raised for this run by --allow-deletes: \(escape(reason))</p>"
        }
        if tenant.changes.read > 0 {
            html += "<h3>Changes</h3>\(outcomeBar(tenant.changes, width: 480))\(legend(tenant.changes))"
        }
        if let limit = tenant.deleteLimit {
            html += "<h3>Deletes against the threshold</h3>\(deletesBar(tenant.deletes, limit: limit))"
        }
        html += totalsTable(tenant)
        html += changedTable(tenant.tenant)
        html += manualStepsTable(tenant.tenant)
        html += rejectionsTable(tenant.tenant)
        html += findingsBlock(tenant)
        return html + "</section>"
    }

    private func totalsTable(_ tenant: TenantTotals) -> String {
        var html = "<h3>Control totals</h3><table class=totals><tr><th></th><th>before</th><th>added</th>"
        html += "<th>deleted</th><th>after</th></tr>"
        html += "<tr><td>users</td><td>\(tenant.users.before)</td><td>\(tenant.users.created)</td><td>0</td>"
        html += "<td>\(tenant.users.after)</td></tr>"
        for kind in MethodKind.allCases {
            guard let counts = tenant.methods[kind] else { continue }
            html += "<tr><td>\(kind.rawValue)</td><td>\(counts.before)</td><td>\(counts.added)</td>"
            html += "<td>\(counts.deleted)</td><td>\(counts.after)</td></tr>"
        }
        for (type, counts) in tenant.otherMethods.sorted(by: { $0.key < $1.key }) {
            html += "<tr><td>\(escape(type)) (kept)</td><td>\(counts.before)</td><td>0</td><td>0</td>"
            html += "<td>\(counts.after)</td></tr>"
        }
        html += "</table><p class=muted>changes read \(tenant.changes.read) = applied \(tenant.changes.applied) + "
        html += "unchanged \(tenant.changes.unchanged) + rejected \(tenant.changes.rejected) + held "
        html += "\(tenant.changes.held); export rows read \(tenant.rowsRead), read again \(tenant.rowsWritten).</p>"
        for problem in tenant.problems { html += "<p class=bad>\(escape(problem))</p>" }
        return html
    }

    private func changedTable(_ tenant: String) -> String {
        guard let changes = content.changes[tenant], changes.changedCount > 0 else { return "" }
        var html = "<h3>\(isPlan ? "What would change" : "What changed")</h3><table><tr><th>change</th><th>user</th>"
        html += "<th>operation</th><th>before</th><th>after</th><th>note</th></tr>"
        for (row, result) in changes.changed {
            let request = row.request
            let method = MethodKind(token: request.method.trimmingWhitespace)
            let redaction = content.redaction
            let operation =
                redaction.token(request.operation)
                + (request.method.isEmpty ? "" : " " + redaction.token(request.method))
            html +=
                "<tr\(result.outcome == .held ? " class=heldrow" : "")><td>\(escape(redaction.identity(request.name)))</td>"
            html += "<td>\(escape(redaction.identity(request.user)))</td><td>\(escape(operation))</td>"
            html += "<td>\(escape(content.redaction.describe(result.before, method: method)))</td>"
            html += "<td>\(escape(content.redaction.describe(result.after, method: method)))</td>"
            html +=
                "<td>\(result.outcome == .held ? "held" : escape(result.rule == nil ? "" : result.message))</td></tr>"
        }
        html += "</table>"
        if changes.changedCount > changes.changed.count {
            html += "<p class=muted>and \(changes.changedCount - changes.changed.count) more in changes.csv</p>"
        }
        return html
    }

    private func manualStepsTable(_ tenant: String) -> String {
        guard let steps = content.changes[tenant]?.manualSteps, !steps.isEmpty else { return "" }
        var html = "<h3>Manual steps</h3><p class=muted>Changes Graph cannot make: they are in no Graph request."
        html += "</p><table><tr><th>change</th><th>user</th><th>what to do</th></tr>"
        for (row, result) in steps {
            html += "<tr><td>\(escape(content.redaction.identity(row.request.name)))</td>"
            html +=
                "<td>\(escape(content.redaction.identity(row.request.user)))</td><td>\(escape(result.message))</td></tr>"
        }
        return html + "</table>"
    }

    private func rejectionsTable(_ tenant: String) -> String {
        guard let byRule = content.changes[tenant]?.rejected, !byRule.isEmpty else { return "" }
        let sorted = byRule.sorted { $0.key < $1.key }
        var html = "<h3>Rejections by rule</h3>"
        html += bars(sorted.map { ($0.key.rawValue, $0.value.count) }, color: "#c0392b")
        html += "<table><tr><th>rule</th><th>count</th><th>examples</th></tr>"
        for (rule, rejected) in sorted {
            let examples = rejected.examples.map { row, result in
                "\(escape(content.redaction.identity(row.request.name))) (\(escape(content.redaction.identity(row.request.user)))): \(escape(result.message))"
            }
            html += "<tr><td><code>\(rule.rawValue)</code></td><td>\(rejected.count)</td>"
            html += "<td>\(examples.joined(separator: "<br>"))</td></tr>"
        }
        return html + "</table>"
    }

    private func findingsBlock(_ tenant: TenantTotals) -> String {
        guard !tenant.findings.isEmpty else { return tenant.isInScope ? "<h3>Findings</h3><p>None.</p>" : "" }
        let sorted = tenant.findings.sorted { $0.key < $1.key }
        var html = "<h3>Findings \(content.command == .validate ? "" : "after the batch")</h3>"
        html += bars(sorted.map { ($0.key.rawValue, $0.value) }, color: "#d68910")
        html += "<table><tr><th>finding</th><th>users</th><th>for example</th></tr>"
        for (finding, count) in sorted {
            let examples = content.findingExamples[tenant.tenant]?[finding] ?? []
            html += "<tr><td><code>\(finding.rawValue)</code></td><td>\(count)</td>"
            html += "<td>\(examples.map(escape).joined(separator: ", "))</td></tr>"
        }
        return html + "</table>"
    }

    private func inputsTable() -> String {
        var html = "<section><h2>Inputs</h2><table><tr><th>role</th><th>file</th><th>bytes</th><th>SHA-256</th></tr>"
        for input in content.inputs {
            html += "<tr><td>\(escape(input.role))</td><td>\(escape(input.path))</td><td>\(input.bytes)</td>"
            html += "<td><code>\(input.sha256.prefix(16))…</code></td></tr>"
        }
        return html + "</table></section>"
    }

    // MARK: Charts

    private static let outcomeColors: [(String, String)] = [
        ("applied", "#27ae60"), ("unchanged", "#95a5a6"), ("rejected", "#c0392b"), ("held", "#8e44ad"),
    ]

    private func outcomeBar(_ changes: TenantTotals.Changes, width: Int) -> String {
        let counts = [changes.applied, changes.unchanged, changes.rejected, changes.held]
        let total = max(counts.reduce(0, +), 1)
        var svg =
            "<svg width=\(width) height=16 role=img aria-label='outcomes'><rect width=\(width) height=16 fill='#eee'/>"
        var x = 0.0
        for (count, (name, color)) in zip(counts, Self.outcomeColors) where count > 0 {
            let w = Double(width) * Double(count) / Double(total)
            svg +=
                "<rect x=\(format(x)) width=\(format(w)) height=16 fill='\(color)'><title>\(name) \(count)</title></rect>"
            x += w
        }
        return svg + "</svg>"
    }

    private func legend(_ changes: TenantTotals.Changes) -> String {
        let counts = [changes.applied, changes.unchanged, changes.rejected, changes.held]
        return "<p class=legend>"
            + zip(counts, Self.outcomeColors).map { count, entry in
                "<span><i style='background:\(entry.1)'></i>\(entry.0) \(count)</span>"
            }.joined() + "</p>"
    }

    private func deletesBar(_ deletes: Int, limit: Int) -> String {
        let scale = Double(max(deletes, limit, 1)) * 1.1
        let width = 360.0
        let fill = deletes > limit ? "#c0392b" : "#2e86c1"
        var svg = "<svg width=520 height=22 role=img aria-label='deletes against the limit'>"
        svg += "<rect width=\(Int(width)) height=18 fill='#eee'/>"
        svg += "<rect width=\(format(width * Double(deletes) / scale)) height=18 fill='\(fill)'/>"
        let marker = width * Double(limit) / scale
        svg += "<line x1=\(format(marker)) x2=\(format(marker)) y1=0 y2=22 stroke='#222' stroke-width=2/>"
        svg += "<text x=\(Int(width) + 8) y=14 font-size=12>\(deletes) deletes · limit \(limit)</text></svg>"
        return svg
    }

    private func bars(_ rows: [(String, Int)], color: String) -> String {
        let maximum = Double(rows.map(\.1).max() ?? 1)
        var svg = "<svg width=520 height=\(rows.count * 20 + 4) role=img aria-label='counts'>"
        for (index, (name, count)) in rows.enumerated() {
            let y = index * 20 + 2
            svg += "<text x=0 y=\(y + 13) font-size=11>\(escape(name))</text>"
            svg += "<rect x=210 y=\(y) width=\(format(260 * Double(count) / maximum)) height=15 fill='\(color)'/>"
            svg += "<text x=\(format(214 + 260 * Double(count) / maximum)) y=\(y + 12) font-size=11>\(count)</text>"
        }
        return svg + "</svg>"
    }

    private func format(_ value: Double) -> String { String(Int((value * 10).rounded()) / 10) }

    private func escape(_ text: String) -> String { htmlEscaped(text) }

    private static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;margin:0 auto;max-width:1100px;\
        padding:24px}h1{margin:0 0 4px}h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:32px}\
        h3{margin:20px 0 6px;font-size:15px}table{border-collapse:collapse;margin:6px 0 10px;width:100%}\
        th,td{border-bottom:1px solid #e5e5e5;padding:4px 8px;text-align:left;vertical-align:top}\
        th{background:#f5f5f5;font-weight:600}.totals td:not(:first-child),.totals th{text-align:right}\
        .lead{font-size:17px;margin:4px 0}.meta,.muted,footer{color:#777}.bad{color:#c0392b}.good{color:#27ae60}\
        .badge{font-size:12px;background:#e8f6ef;color:#1e8449;border-radius:10px;padding:2px 8px;vertical-align:middle}\
        .badge.bad{background:#fdecea;color:#c0392b}.badge.muted{background:#eee;color:#777}\
        .held{background:#f5eef8;border-left:4px solid #8e44ad;padding:8px 12px}.heldrow{color:#8e44ad}\
        .note{background:#eaf2f8;border-left:4px solid #2e86c1;padding:8px 12px}\
        .legend span{margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}\
        code{font-size:12px}footer{margin-top:40px;font-size:12px}
        """
}

/// Text safe inside HTML elements and quoted attributes.
func htmlEscaped(_ text: String) -> String {
    var escaped = ""
    for character in text {
        switch character {
        case "&": escaped += "&amp;"
        case "<": escaped += "&lt;"
        case ">": escaped += "&gt;"
        case "\"": escaped += "&quot;"
        case "'": escaped += "&#39;"
        default: escaped.append(character)
        }
    }
    return escaped
}
