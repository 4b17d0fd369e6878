import Foundation
import SecurityInfo
import SecurityInfoFormats

/// The report folder of a run (SPEC.md, Reports): each file written under a temporary name and renamed into
/// place together at the end. `findings.csv` is written during a reading of the exports (`FindingsReport`), the
/// others once every change is decided.
struct ReportFiles {
    static let changesName = "changes.csv", rejectedName = "rejected.csv", findingsName = "findings.csv"
    static let summaryName = "summary.json", htmlName = "report.html"
    static let names = [changesName, rejectedName, findingsName, summaryName, htmlName]

    let folder: String
    let redaction: Redaction
    private let changesSink: AtomicFileSink
    private let rejectedSink: AtomicFileSink
    private let findingsSink: AtomicFileSink
    private let summarySink: AtomicFileSink
    private let htmlSink: AtomicFileSink
    private var all: [AtomicFileSink] { [changesSink, rejectedSink, findingsSink, summarySink, htmlSink] }

    /// - Parameter findings: the findings a reading of the exports wrote into the folder.
    init(folder: String, redaction: Redaction, findings: FindingsReport) throws(BatchError) {
        self.folder = folder
        self.redaction = redaction
        func sink(_ name: String) throws(BatchError) -> AtomicFileSink {
            do { return try AtomicFileSink(path: (folder as NSString).appendingPathComponent(name)) } catch {
                throw .output(error)
            }
        }
        changesSink = try sink(Self.changesName)
        rejectedSink = try sink(Self.rejectedName)
        findingsSink = findings.sink
        summarySink = try sink(Self.summaryName)
        htmlSink = try sink(Self.htmlName)
    }

    /// `changes.csv`, one row per change in input order, and `rejected.csv`, the rejected rows as read.
    func writeChanges(changeFile: ChangeFile, results: ChangeResults) throws(BatchError) {
        do {
            var changes = CSVWriter(sink: changesSink)
            try changes.write([
                "change_id", "tenant", "user", "operation", "method", "outcome", "rule", "message", "before", "after",
            ])
            var rejected = CSVWriter(sink: rejectedSink)
            try rejected.write(ChangeFile.columns + changeFile.extraColumns + ChangeFile.reportColumns)
            for (row, result) in zip(changeFile.rows, results) {
                let result = result!
                let request = row.request
                let method = request.method.isEmpty ? nil : MethodKind(token: request.method.trimmingWhitespace)
                try changes.write(
                    [
                        redaction.identity(request.name), redaction.tenant(request.tenant),
                        redaction.identity(request.user), redaction.token(request.operation),
                        redaction.token(request.method),
                        result.outcome.rawValue, result.rule?.rawValue ?? "", result.message,
                        redaction.describe(result.before, method: method),
                        redaction.describe(result.after, method: method),
                    ].map(spreadsheetSafe))
                if result.outcome == .rejected {
                    // Data to fix and feed back in: neither masked nor altered.
                    try rejected.write(
                        changeFile.changeFileFields(of: row) + [result.rule?.rawValue ?? "", result.message])
                }
            }
        } catch { throw .output(error) }
    }

    func writeSummary(_ summary: SummaryReport) throws(BatchError) {
        do { try summary.write(to: summarySink) } catch { throw .output(error) }
    }

    func writeHTML(_ report: HTMLReport) throws(BatchError) {
        do { try report.write(to: htmlSink) } catch { throw .output(error) }
    }

    /// Gives up every report file not yet in place (a failed run).
    func discard() {
        for sink in all { sink.discard() }
    }

    /// Finishes every report file and renames them into place.
    func commit() throws(BatchError) {
        do {
            for sink in all { try sink.finish() }
            for sink in all { try sink.commit() }
        } catch { throw .output(error) }
    }
}

/// `findings.csv`, written user by user during a reading of the exports so memory stays flat.
final class FindingsReport {
    let sink: AtomicFileSink

    /// A new `findings.csv` under its temporary name in `folder`, its header written.
    init(folder: String) throws(OutputError) {
        sink = try AtomicFileSink(path: (folder as NSString).appendingPathComponent(ReportFiles.findingsName))
        var header: [UInt8] = []
        CSVWriter.append(["tenant", "user", "finding", "detail"], to: &header)
        try sink.write(header)
    }

    /// Appends a user's findings as report rows: the encoding alone, for workers.
    static func encode(tenant: String, user: String, findings: [Finding], into bytes: inout [UInt8]) {
        for finding in findings {
            CSVWriter.append([tenant, user, finding.id.rawValue, finding.detail].map(spreadsheetSafe), to: &bytes)
        }
    }

    /// Writes rows made by `encode`, in order.
    func write(encoded bytes: [UInt8]) throws(OutputError) { try sink.write(bytes) }
}
