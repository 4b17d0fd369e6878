import Foundation
public import Logging
import SecurityInfo
import SecurityInfoFormats

/// What a finished run reports to its caller: the exit code and the control totals.
public struct BatchResult: Sendable {
    public var command: BatchConfiguration.Command
    public var exitCode: Int32
    /// Per tenant, by tenant id.
    public var tenants: [TenantTotals]
    public var total: TenantTotals
    /// The exports written (`apply`), in input order.
    public var outputs: [String]
    public var reportDirectory: String?
    /// How many times each export was read: once when that reading stood, else twice.
    var exportReadings = 2
}

/// The version of the tool, recorded in reports.
public enum SecInfoVersion {
    public static let tool = "0.1.0"
}

/// Runs a batch: `plan`, `apply` or `validate`.
///
/// Each export is read as a stream of chunks on Dispatch worker queues (`OrderedPipeline`), so memory stays bounded
/// whatever the size of the exports. One reading evaluates the users the change file names, writes every user in
/// its new state, audits it and counts it (`BatchRun+SinglePass`); then the delete thresholds are decided per
/// tenant. When a tenant is held or a user created, that writing is thrown away and the exports are written again in
/// a second pass (`BatchRun+SecondPass`). Nothing is renamed into place until the run has succeeded.
public enum Batch {
    public static func run(_ configuration: BatchConfiguration, logger: Logger) throws(BatchError) -> BatchResult {
        var run = try BatchRun(configuration: configuration, logger: logger)
        return try run.execute()
    }
}

struct BatchRun {
    let configuration: BatchConfiguration
    let logger: Logger
    let startedAt = Date()
    var exportFiles: [String] = []
    var policies = PolicySet()
    var changeFile: ChangeFile?
    /// The exports as read, with the digest of their bytes: filled in by their first reading.
    var exportInputs: [SummaryReport.Input] = []
    /// The policy and the change file, hashed as parsed.
    var otherInputs: [SummaryReport.Input] = []
    var exportReadings = 2

    /// The rows of the change file naming each user.
    var changeIndex = ChangeIndex(ChangeFile(path: ""))
    /// The decision on each row of the change file.
    var results = ChangeResults(count: 0)
    /// Users that changes created, in their new state, per tenant, in the order of their first change.
    var createdUsers: [String: [User]] = [:]
    var totals: [String: TenantTotals] = [:]
    /// Where each tenant's last user is: the export file, and the line the user starts on.
    var lastUserOfTenant: [String: (file: Int, line: Int)] = [:]
    /// Per export file, the users the first reading could not rule out as repeated; the second confirms them.
    var unconfirmedRepeats: [Set<String>] = []
    /// The plan `apply --plan-file` holds the run to.
    var plan: PlanFile?
    /// A few users per tenant and finding, for the report page.
    var findingExamples: [String: [FindingID: [String]]] = [:]
    /// The output and report folders this run made: removed again if it fails.
    let createdFolders = CreatedFolders()
    /// Rows and bytes read, for the progress line.
    var progress = ProgressCounter(observer: nil, exportBytes: 0)

    init(configuration: BatchConfiguration, logger: Logger) throws(BatchError) {
        self.configuration = configuration
        self.logger = logger
        if configuration.command == .apply && configuration.outputDirectory == nil {
            throw .usage("apply needs --output DIR")
        }
        if configuration.command != .validate && configuration.changesPath == nil {
            throw .usage("\(configuration.command.rawValue) needs --changes PATH")
        }
        if !configuration.deleteAllowances.isEmpty
            && (configuration.deleteAllowanceReason ?? "").trimmingWhitespace.isEmpty
        {
            throw .usage("--allow-deletes needs --reason TEXT, which the report records")
        }
    }

    mutating func execute() throws(BatchError) -> BatchResult {
        do { return try readEvaluateAndFinish() } catch {
            createdFolders.removeEmpty()
            throw error
        }
    }

    private mutating func readEvaluateAndFinish() throws(BatchError) -> BatchResult {
        try readInputs()
        let reportFiles = try configuration.reportDirectory.map { (folder) throws(BatchError) in
            let files = try ReportFiles(
                folder: folder, redaction: Redaction(reveal: configuration.reveal), folders: createdFolders)
            removeStaleTemporaries(in: folder)
            return files
        }
        // Nothing half-done stays behind a failure: temporary files go at once, not when their last reference does.
        let outputs: [AtomicFileSink]
        do { outputs = try evaluateAndWrite(findings: reportFiles?.findings) } catch {
            progress.finish()
            reportFiles?.discard()
            if case .input(let failure) = error { try checkUnreadExportsAgainstPlan(after: failure) }
            throw error
        }
        progress.finish()
        do {
            try checkAgainstPlan()
            return try finishRun(outputs: outputs, reportFiles: reportFiles)
        } catch {
            for output in outputs { output.discard() }
            reportFiles?.discard()
            throw error
        }
    }

    /// Evaluates every change, decides the thresholds and writes the exports and findings: in one reading of each
    /// export when that reading stands (`BatchRun+SinglePass`), else in two passes.
    mutating func evaluateAndWrite(findings: FindingsReport?) throws(BatchError) -> [AtomicFileSink] {
        guard configuration.readsOnceWhenItCan else {
            try evaluateChanges()
            try checkExportsAgainstPlan()
            try checkTenantNames()
            decideThresholds()
            countDecisions()
            return try writeExports(findings: findings)
        }
        let outputs = try evaluateAndWriteExports(findings: findings)
        do {
            try checkExportsAgainstPlan()
            try checkTenantNames()
        } catch {
            for output in outputs { output.discard() }
            throw error
        }
        decideThresholds()
        countDecisions()
        if singleReadingStands {
            exportReadings = 1
            return outputs
        }
        logger.info("writing the exports again: a tenant is held, a user created or a repeat to confirm")
        for output in outputs { output.discard() }
        resetWrittenTotals()
        do { try findings?.restart() } catch { throw .output(error) }
        return try writeExports(findings: findings)
    }

    /// `apply --plan-file`: the inputs hash as planned, so the outcomes must be the plan's. A difference is a bug,
    /// and loud.
    func checkAgainstPlan() throws(BatchError) {
        guard let plan else { return }
        let differing = zip(plan.outcomes, plannedOutcomes).filter { $0 != $1 }.map { planned, now in
            "\(ContactMask.echoed(identity: now.change)): planned \(planned.outcome) \(planned.rule), now \(now.outcome) \(now.rule)"
        }
        if !differing.isEmpty || plan.outcomes.count != plannedOutcomes.count {
            throw .planMismatch(differing.isEmpty ? ["the number of changes differs"] : differing)
        }
    }

    /// Totals, the reports, the plan file, and the renames into place.
    func finishRun(outputs: [AtomicFileSink], reportFiles: ReportFiles?) throws(BatchError) -> BatchResult {
        let tenantTotals = totals.values.sorted { $0.tenant < $1.tenant }
        let total = TenantTotals.sum(tenantTotals)
        let problems = tenantTotals.flatMap(\.problems) + total.problems
        let exitCode: Int32 =
            !problems.isEmpty ? 70 : total.changes.held > 0 ? 3 : total.changes.rejected > 0 ? 1 : 0

        // validate has no change file: its changes.csv and rejected.csv are written with their headers only.
        try reportFiles?.writeChanges(changeFile: changeFile ?? ChangeFile(path: ""), results: results)
        let planSink = try writePlanFile(exitCode: exitCode, isBalanced: problems.isEmpty)
        if let reportFiles {
            let summary = SummaryReport(
                configuration: configuration, startedAt: startedAt, endedAt: Date(), inputs: inputs,
                tenants: tenantTotals, total: total, exitCode: exitCode)
            try reportFiles.writeSummary(summary)
            try reportFiles.writeHTML(
                HTMLReport(
                    content: .init(
                        command: configuration.command, startedAt: summary.startedAt, exitCode: exitCode,
                        inputs: inputs, tenants: tenantTotals, total: total,
                        changes: HTMLReport.TenantChanges.collect(
                            changeFile: changeFile, results: results, redaction: reportFiles.redaction),
                        findingExamples: findingExamples, allowDeletesReason: configuration.deleteAllowanceReason,
                        redaction: reportFiles.redaction)))
        }
        // An unbalanced run keeps its exports out of place but leaves the report that says why. Otherwise the
        // exports go into place first and the report, the run's receipt, last.
        if problems.isEmpty {
            for output in outputs { try commit(output) }
        }
        try reportFiles?.commit()
        if let planSink { try commit(planSink) }
        guard problems.isEmpty else { throw .unbalanced(problems) }
        var result = BatchResult(
            command: configuration.command, exitCode: exitCode, tenants: tenantTotals, total: total,
            outputs: outputs.map(\.path), reportDirectory: configuration.reportDirectory)
        result.exportReadings = exportReadings
        return result
    }

    /// `plan --plan-file P`: the plan, written beside the reports and renamed into place with them.
    func writePlanFile(exitCode: Int32, isBalanced: Bool) throws(BatchError) -> AtomicFileSink? {
        guard configuration.command == .plan, let path = configuration.planFilePath, isBalanced else { return nil }
        let plan = PlanFile(
            inputs: planInputs, options: PlanFile.options(of: configuration), outcomes: plannedOutcomes,
            exitCode: exitCode)
        do {
            let sink = try AtomicFileSink(path: path)
            try sink.write(plan.json())
            return sink
        } catch { throw .output(error) }
    }

    /// A run killed with `kill -9` leaves its temporary files; the next run in the folder removes them.
    func removeStaleTemporaries(in folder: String) {
        for name in AtomicFileSink.removeStaleTemporaries(in: folder) {
            logger.warning("removed a stale temporary file of a killed run", metadata: ["file": "\(folder)/\(name)"])
        }
    }

    func commit(_ sink: AtomicFileSink) throws(BatchError) {
        do { try sink.commit() } catch { throw .output(error) }
    }

    // MARK: Thresholds and counts

    /// R-THRESHOLD-DELETES: a tenant whose applied deletes exceed its limit is held whole.
    mutating func decideThresholds() {
        guard let changeFile else { return }
        var deletes: [String: Int] = [:]
        for (row, result) in zip(changeFile.rows, results) where result?.outcome == .applied {
            deletes[row.request.tenant, default: 0] += result!.deleted.count
        }
        for (tenant, var tenantTotals) in totals where tenantTotals.isInScope {
            let methodsBefore = tenantTotals.methods.values.reduce(0) { $0 + $1.before }
            let threshold = DeleteThreshold(
                policy: policies.policy(for: tenant), methodsBefore: methodsBefore,
                allowance: configuration.deleteAllowances[tenant])
            tenantTotals.deletes = deletes[tenant] ?? 0
            tenantTotals.deleteLimit = threshold.limit
            tenantTotals.deleteLimitRaised = threshold.isOverride
            tenantTotals.isHeld = threshold.holds(deletes: tenantTotals.deletes)
            totals[tenant] = tenantTotals
            if tenantTotals.isHeld {
                logger.warning(
                    "tenant held",
                    metadata: ["tenant": "\(tenant)", "reason": "\(threshold.message(deletes: tenantTotals.deletes))"])
                for (index, row) in changeFile.rows.enumerated() where row.request.tenant == tenant {
                    results[index] = results[index]!.held(because: threshold.message(deletes: tenantTotals.deletes))
                }
            }
        }
    }

    mutating func countDecisions() {
        guard let changeFile else { return }
        // A tenant no export holds is named as the reports echo it: shifted columns put numbers there.
        let redaction = Redaction(reveal: configuration.reveal)
        for (row, result) in zip(changeFile.rows, results) {
            let result = result!
            let tenant = redaction.tenant(row.request.tenant)
            var tenantTotals = totals[tenant] ?? TenantTotals(tenant: tenant)
            tenantTotals.changes.read += 1
            tenantTotals.count(result.outcome)
            for kind in result.added { tenantTotals.methods[kind, default: .init()].added += 1 }
            for kind in result.deleted { tenantTotals.methods[kind, default: .init()].deleted += 1 }
            if result.createdUser { tenantTotals.users.created += 1 }
            totals[tenant] = tenantTotals
        }
    }
}
