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
    let written: WrittenExports
    let startedAt: Date

    func finish() throws(BatchError) -> BatchResult {
        let totals = written.added(to: decisions.totals)
        let tenantTotals = totals.values.sorted { $0.tenant < $1.tenant }
        let total = TenantTotals.sum(tenantTotals)
        let problems = tenantTotals.flatMap(\.problems) + total.problems
        let status: ExitStatus = problems.isEmpty ? .of(total) : .failedCheck
        try checkAgainstPlan()

        var reportFiles: ReportFiles?
        do {
            return try write(
                totals: tenantTotals, total: total, problems: problems, status: status, reportFiles: &reportFiles)
        } catch {
            reportFiles?.discard()
            throw error
        }
    }

    private func write(
        totals tenantTotals: [TenantTotals], total: TenantTotals, problems: [String], status: ExitStatus,
        reportFiles: inout ReportFiles?
    ) throws(BatchError) -> BatchResult {
        let summaryInputs = inputs.summaryInputs(exports: exports)
        if let folder = configuration.reportDirectory, let findings = written.findings {
            let redaction = Redaction(reveal: configuration.reveal)
            let files = try ReportFiles(folder: folder, redaction: redaction, findings: findings)
            reportFiles = files
            // validate has no change file: its changes.csv and rejected.csv are written with their headers only.
            try files.writeChanges(changeFile: inputs.changeFile ?? ChangeFile(path: ""), results: decisions.results)
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
                            changeFile: inputs.changeFile, results: decisions.results, redaction: redaction),
                        findingExamples: written.findingExamples,
                        allowDeletesReason: configuration.deleteAllowanceReason, redaction: redaction)))
        }
        let planSink = try writePlanFile(status: status, isBalanced: problems.isEmpty)
        defer { planSink?.discard() }
        // An unbalanced run keeps its exports out of place but leaves the report that says why.
        if problems.isEmpty {
            for output in written.outputs { try commit(output) }
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

    /// `apply --plan-file`: the inputs hash as planned, so the outcomes must be the plan's. A difference is a bug,
    /// and loud.
    private func checkAgainstPlan() throws(BatchError) {
        guard let plan = inputs.plan else { return }
        let outcomes = plannedOutcomes
        let differing = zip(plan.outcomes, outcomes).filter { $0 != $1 }.map { planned, now in
            "\(ContactMask.echoed(identity: now.change)): planned \(planned.outcome) \(planned.rule), now \(now.outcome) \(now.rule)"
        }
        if !differing.isEmpty || plan.outcomes.count != outcomes.count {
            throw .planMismatch(differing.isEmpty ? ["the number of changes differs"] : differing)
        }
    }

    /// `plan --plan-file P`: the plan, renamed into place with the reports.
    private func writePlanFile(status: ExitStatus, isBalanced: Bool) throws(BatchError) -> AtomicFileSink? {
        guard configuration.command == .plan, let path = configuration.planFilePath, isBalanced else { return nil }
        let plan = PlanFile(
            inputs: inputs.planInputs(exports: exports), options: PlanFile.options(of: configuration),
            outcomes: plannedOutcomes, exitCode: status.rawValue)
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
