import Foundation
import SecurityInfo
public import SecurityInfoEngine
public import SecurityInfoFormats

/// What a push has done with a requests file, from its ledger (earlier runs' too) and this run: each change's
/// outcome, each tenant's totals, and the exit status. `push.csv` and `summary.json` are written from it.
public struct PushOutcome: Sendable {
    public enum Outcome: String, Sendable {
        case succeeded, failed, skipped
    }

    /// A change's row of `push.csv`.
    public struct ChangeRow: Sendable {
        public var tenant: String
        public var change: String
        public var user: String
        public var requests: Int
        public var outcome: Outcome
        public var status: String
        public var code: String
        public var message: String
    }

    public struct Totals: Sendable {
        public var planned = 0
        public var succeeded = 0
        public var failed = 0
        public var skipped = 0
        public var balanced: Bool { planned == succeeded + failed + skipped }
    }

    public private(set) var rows: [ChangeRow] = []
    public private(set) var tenants: [String: Totals] = [:]
    public private(set) var total = Totals()
    public let unavailable: [String: TenantUnavailable]

    init(
        batches: [PushBatch], states: [RequestKey: PushLedger.State], notSent: [RequestKey: String],
        unavailable: [String: TenantUnavailable]
    ) {
        self.unavailable = unavailable
        var rowOfChange: [String: Int] = [:]
        for request in batches.flatMap(\.requests) {
            let (outcome, status, code, message) = Self.end(of: request, states[request.key], notSent[request.key])
            var totals = tenants[request.tenant, default: Totals()]
            totals.planned += 1
            total.planned += 1
            switch outcome {
            case .succeeded:
                totals.succeeded += 1
                total.succeeded += 1
            case .failed:
                totals.failed += 1
                total.failed += 1
            case .skipped:
                totals.skipped += 1
                total.skipped += 1
            }
            tenants[request.tenant] = totals
            let key = "\(request.tenant)\u{0}\(request.change)"
            guard let index = rowOfChange[key] else {
                rowOfChange[key] = rows.count
                rows.append(
                    ChangeRow(
                        tenant: request.tenant, change: request.change, user: request.user, requests: 1,
                        outcome: outcome, status: status, code: code, message: message))
                continue
            }
            // A change failed when one of its requests did; else skipped when one was; its first such request
            // says why.
            rows[index].requests += 1
            let rank: [Outcome: Int] = [.succeeded: 0, .skipped: 1, .failed: 2]
            if rank[outcome]! > rank[rows[index].outcome]! {
                rows[index].outcome = outcome
                rows[index].status = status
                rows[index].code = code
                rows[index].message = message
            }
        }
    }

    private static func end(of request: PushRequest, _ state: PushLedger.State?, _ notSent: String?)
        -> (Outcome, String, String, String)
    {
        switch state {
        case .succeeded(let status)?:
            return (.succeeded, status.map(String.init) ?? "", status == nil ? PushLedger.alreadyAppliedCode : "", "")
        case .failed(let status, let code, let message)?:
            return (.failed, status.map(String.init) ?? "", code, message)
        case .skipped(let message)?:
            return (.skipped, "", PushLedger.skippedCode, message)
        case .sent?:
            return (
                .skipped, "", "inFlight",
                notSent ?? "sent, its end not known: a rerun checks it and sends it if not made"
            )
        case nil:
            return (.skipped, "", "notSent", notSent ?? "not sent")
        }
    }

    /// 69 when a tenant could not be reached or authenticated; else 1 when a request failed or was skipped.
    public var status: ExitStatus {
        if !unavailable.isEmpty { return .tenantUnavailable }
        return total.succeeded == total.planned ? .success : .rejections
    }

    /// `push.csv` and `summary.json` into `folder`, each whole or not there.
    public func write(to folder: String) throws(BatchError) {
        let folders = CreatedFolders()
        try folders.make(folder)
        var csv: [UInt8] = []
        CSVWriter.append(["tenant", "change_id", "user", "requests", "outcome", "status", "code", "message"], to: &csv)
        for row in rows {
            let cells = [
                row.tenant, ContactMask.echoed(identity: row.change), ContactMask.echoed(identity: row.user),
                String(row.requests), row.outcome.rawValue, row.status, row.code, row.message,
            ]
            CSVWriter.append(cells.map(spreadsheetSafe), to: &csv)
        }
        var json = #"{"command":"push","tenants":{"#
        for (index, name) in tenants.keys.sorted().enumerated() {
            if index > 0 { json += "," }
            json += "\(Self.jsonString(name)):\(Self.json(tenants[name]!, unavailable: unavailable[name]))"
        }
        json += #"},"total":"# + Self.json(total, unavailable: nil) + "}\n"
        do {
            for (name, bytes) in [("push.csv", csv), ("summary.json", Array(json.utf8))] {
                let sink = try AtomicFileSink(path: "\(folder)/\(name)")
                try sink.write(bytes)
                try sink.finish()
                try sink.commit()
            }
        } catch {
            folders.removeEmpty()
            throw .output(error)
        }
    }

    private static func json(_ totals: Totals, unavailable: TenantUnavailable?) -> String {
        var text = #"{"requests":{"planned":\#(totals.planned),"succeeded":\#(totals.succeeded),"#
        text += #""failed":\#(totals.failed),"skipped":\#(totals.skipped)},"balanced":\#(totals.balanced)"#
        if let unavailable { text += #","unavailable":"# + jsonString(unavailable.reason.description) }
        return text + "}"
    }

    private static func jsonString(_ text: String) -> String {
        var bytes: [UInt8] = []
        JSONWriter.appendString(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
