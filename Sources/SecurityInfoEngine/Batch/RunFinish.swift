import Foundation
import SecurityInfo
import SecurityInfoFormats

/// The last phase: the totals balanced, the outcomes held to an approved plan, the reports and the plan file
/// written, and everything renamed into place, exports first and the report, the run's receipt, last.
struct RunFinish {
    let configuration: BatchConfiguration
    let inputs: BatchInputs
    let exports: [SummaryReport.Input]
    let decisions: BatchDecisions
    /// The object id of the user each change names, where a Graph export gives one.
    let objectIDs: [Int: String]
    let written: WrittenExports
    let startedAt: Date

    func finish() throws(BatchError) -> BatchResult {
        let totals = written.added(to: decisions.totals)
        let tenantTotals = totals.values.sorted { $0.tenant < $1.tenant }
        let total = TenantTotals.sum(tenantTotals)
        let problems = tenantTotals.flatMap(\.problems) + total.problems
        let status: ExitStatus = problems.isEmpty ? .of(total) : .failedCheck
        var results = decisions.results
        let requests = requestsFile(results: &results)
        try checkAgainstPlan(requests: requests)

        var reportFiles: ReportFiles?
        do {
            return try write(
                totals: tenantTotals, total: total, problems: problems, status: status, results: results,
                requests: requests, reportFiles: &reportFiles)
        } catch {
            reportFiles?.discard()
            throw error
        }
    }

    private func write(
        totals tenantTotals: [TenantTotals], total: TenantTotals, problems: [String], status: ExitStatus,
        results: ChangeResults, requests: (bytes: [UInt8], sha256: String)?, reportFiles: inout ReportFiles?
    ) throws(BatchError) -> BatchResult {
        let summaryInputs = inputs.summaryInputs(exports: exports)
        if let folder = configuration.reportDirectory, let findings = written.findings {
            let redaction = Redaction(reveal: configuration.reveal)
            let files = try ReportFiles(folder: folder, redaction: redaction, findings: findings)
            reportFiles = files
            // validate has no change file: its changes.csv and rejected.csv are written with their headers only.
            try files.writeChanges(changeFile: inputs.changeFile ?? ChangeFile(path: ""), results: results)
            let summary = SummaryReport(
                configuration: configuration, startedAt: startedAt, endedAt: Date(), inputs: summaryInputs,
                tenants: tenantTotals, total: total, exitCode: status.rawValue)
            try files.writeSummary(summary)
            try files.writeHTML(
                HTMLReport(
                    content: .init(
                        command: configuration.command, startedAt: summary.startedAt, status: status,
                        inputs: summaryInputs, tenants: tenantTotals, total: total,
                        changes: HTMLReport.TenantChanges.collect(
                            changeFile: inputs.changeFile, results: results, redaction: redaction),
                        findingExamples: written.findingExamples,
                        allowDeletesReason: configuration.deleteAllowanceReason, redaction: redaction)))
        }
        let planSink = try writePlanFile(status: status, isBalanced: problems.isEmpty, requests: requests?.sha256)
        defer { planSink?.discard() }
        let requestsSink = try requests.map { (requests) throws(BatchError) -> AtomicFileSink in
            try BatchError.writing { () throws(OutputError) in
                let sink = try AtomicFileSink(path: configuration.graphRequestsPath!)
                try sink.write(requests.bytes)
                try sink.finish()
                return sink
            }
        }
        defer { requestsSink?.discard() }
        // An unbalanced run keeps its exports out of place but leaves the report that says why.
        if problems.isEmpty {
            for output in written.outputs { try commit(output) }
            if let requestsSink { try commit(requestsSink) }
        }
        try reportFiles?.commit()
        if let planSink { try commit(planSink) }
        guard problems.isEmpty else { throw .unbalanced(problems) }
        return BatchResult(
            command: configuration.command, status: status, tenants: tenantTotals, total: total,
            outputs: written.outputs.map(\.path), reportDirectory: configuration.reportDirectory)
    }

    /// Every change's outcome, as a plan file records it.
    var plannedOutcomes: [PlanFile.Planned] {
        zip(inputs.changeFile?.rows ?? ChangeRows(header: []), decisions.results).map { row, result in
            PlanFile.Planned(
                change: row.request.name, outcome: result!.outcome.rawValue, rule: result!.rule?.rawValue ?? "")
        }
    }

    /// `--graph-requests`: the batches, and the digest a plan file records; the manual steps marked in `results`.
    private func requestsFile(results: inout ChangeResults) -> (bytes: [UInt8], sha256: String)? {
        guard configuration.graphRequestsPath != nil, let changeFile = inputs.changeFile else { return nil }
        let bytes = GraphRequests.file(changeFile: changeFile, results: &results, objectIDs: objectIDs)
        let digest = InputDigest()
        bytes.withUnsafeBytes { digest.update($0) }
        return (bytes, digest.finish())
    }

    /// `apply --plan-file`: the inputs hash as planned, so the outcomes, and the Graph requests, must be the plan's.
    /// A difference is a bug, and loud.
    private func checkAgainstPlan(requests: (bytes: [UInt8], sha256: String)?) throws(BatchError) {
        guard let plan = inputs.plan else { return }
        if let planned = plan.graphRequestsSHA256, let now = requests?.sha256, planned != now {
            throw .planMismatch([
                "the Graph requests differ from the plan's (sha256 \(planned.prefix(12))… → \(now.prefix(12))…)"
            ])
        }
        let outcomes = plannedOutcomes
        let differing = zip(plan.outcomes, outcomes).filter { $0 != $1 }.map { planned, now in
            "\(ContactMask.echoed(identity: now.change)): planned \(planned.outcome) \(planned.rule), now \(now.outcome) \(now.rule)"
        }
        if !differing.isEmpty || plan.outcomes.count != outcomes.count {
            throw .planMismatch(differing.isEmpty ? ["the number of changes differs"] : differing)
        }
    }

    /// `plan --plan-file P`: the plan, renamed into place with the reports.
    private func writePlanFile(status: ExitStatus, isBalanced: Bool, requests: String?) throws(BatchError)
        -> AtomicFileSink?
    {
        guard configuration.command == .plan, let path = configuration.planFilePath, isBalanced else { return nil }
        let plan = PlanFile(
            inputs: inputs.planInputs(exports: exports), options: PlanFile.options(of: configuration),
            outcomes: plannedOutcomes, exitCode: status.rawValue, graphRequestsSHA256: requests)
        do {
            let sink = try AtomicFileSink(path: path)
            try sink.write(plan.json())
            return sink
        } catch { throw .output(error) }
    }

    private func commit(_ sink: AtomicFileSink) throws(BatchError) {
        do { try sink.commit() } catch { throw .output(error) }
    }
}
