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
}

/// The version of the tool, recorded in reports.
public enum SecInfoVersion {
    public static let tool = "0.1.0"
}

/// Runs a batch: `plan`, `apply` or `validate`.
///
/// Two streaming passes over the exports keep memory to the users that have changes, not the size of the export:
/// the first reads every user and runs the rule engine on those the change file names; then the delete
/// thresholds are decided per tenant; the second reads the exports again and writes every user (changed, held
/// or as it was), audits it, and counts what it wrote. Nothing is renamed into place until the run has succeeded.
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
    var inputs: [SummaryReport.Input] = []

    /// The changes of each user, by `tenant NUL user-key`, as indices into the change file's rows.
    var changesByUser: [String: [Int]] = [:]
    var userOrder: [String] = []
    var evaluations: [String: UserEvaluation] = [:]
    var results: [ChangeResult?] = []
    /// Users that changes created, per tenant, in the order of their first change.
    var createdUsers: [String: [String]] = [:]
    var totals: [String: TenantTotals] = [:]
    /// Where each tenant's last user is: the export file, and the user's position in it.
    var lastUserOfTenant: [String: (file: Int, position: Int)] = [:]
    /// Per export file, the users the first reading could not rule out as repeated; the second confirms them.
    var unconfirmedRepeats: [Set<String>] = []
    /// The plan `apply --plan-file` holds the run to.
    var plan: PlanFile?
    /// A few users per tenant and finding, for the report page.
    var findingExamples: [String: [FindingID: [String]]] = [:]
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
        try readInputs()
        try evaluateChanges()
        decideThresholds()
        countDecisions()
        if let plan {
            // The inputs hash as planned, so the outcomes must be the plan's: a difference is a bug, and loud.
            let differing = zip(plan.outcomes, plannedOutcomes).filter { $0 != $1 }.map { planned, now in
                "\(now.change): planned \(planned.outcome) \(planned.rule), now \(now.outcome) \(now.rule)"
            }
            if !differing.isEmpty || plan.outcomes.count != plannedOutcomes.count {
                throw .planMismatch(differing.isEmpty ? ["the number of changes differs"] : differing)
            }
        }

        let reportFiles = try configuration.reportDirectory.map { (folder) throws(BatchError) in
            let files = try ReportFiles(folder: folder, redaction: Redaction(reveal: configuration.reveal))
            removeStaleTemporaries(in: folder)
            return files
        }
        // Nothing half-done stays behind a failure: temporary files go at once, not when their last reference does.
        let outputs: [AtomicFileSink]
        do { outputs = try writeExports(findings: reportFiles?.findings) } catch {
            progress.finish()
            reportFiles?.discard()
            throw error
        }
        progress.finish()
        do {
            return try finishRun(outputs: outputs, reportFiles: reportFiles)
        } catch {
            for output in outputs { output.discard() }
            reportFiles?.discard()
            throw error
        }
    }

    /// Totals, the reports, the plan file, and the renames into place.
    private func finishRun(outputs: [AtomicFileSink], reportFiles: ReportFiles?) throws(BatchError) -> BatchResult {
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
                        inputs: inputs, tenants: tenantTotals, total: total, changeFile: changeFile, results: results,
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
        return BatchResult(
            command: configuration.command, exitCode: exitCode, tenants: tenantTotals, total: total,
            outputs: outputs.map(\.path), reportDirectory: configuration.reportDirectory)
    }

    /// `plan --plan-file P`: the plan, written beside the reports and renamed into place with them.
    private func writePlanFile(exitCode: Int32, isBalanced: Bool) throws(BatchError) -> AtomicFileSink? {
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

    private func commit(_ sink: AtomicFileSink) throws(BatchError) {
        do { try sink.commit() } catch { throw .output(error) }
    }

    // MARK: Inputs

    /// Hashes every input before parsing any (so a stale plan is refused before any work), then parses the
    /// policy and the change file.
    private mutating func readInputs() throws(BatchError) {
        exportFiles = try InputDiscovery.exportFiles(in: configuration.exportPaths)
        for file in exportFiles { try recordInput(file, role: "export") }
        if let path = configuration.policyPath { try recordInput(path, role: "policy") }
        if let path = configuration.changesPath { try recordInput(path, role: "changes") }
        progress = ProgressCounter(
            observer: configuration.progress,
            exportBytes: inputs.filter { $0.role == "export" }.reduce(0) { $0 + $1.bytes })
        if configuration.command == .apply, let path = configuration.planFilePath {
            let plan = try PlanFile.read(path: path)
            let differences = plan.differences(inputs: planInputs, options: PlanFile.options(of: configuration))
            if !differences.isEmpty { throw .stalePlan(path: path, differences) }
            self.plan = plan
        }
        if let path = configuration.policyPath {
            do { policies = try PolicyFile.read(path: path, bytes: try readWhole(path)) } catch { throw .input(error) }
        }
        if let path = configuration.changesPath {
            do {
                changeFile = try FormatRegistry.changeFile(path: path, maximumBytes: configuration.maximumInputBytes)
            } catch { throw .input(error) }
            for (index, row) in changeFile!.rows.enumerated() {
                let key = Self.userKey(for: row.request)
                if changesByUser[key] == nil { userOrder.append(key) }
                changesByUser[key, default: []].append(index)
            }
            results = Array(repeating: nil, count: changeFile!.rows.count)
        }
        logger.info(
            "inputs read",
            metadata: ["exports": "\(exportFiles.count)", "changes": "\(changeFile?.rows.count ?? 0)"])
    }

    /// The inputs as a plan file records them.
    private var planInputs: [PlanFile.Input] {
        inputs.map {
            PlanFile.Input(
                role: $0.role, path: URL(fileURLWithPath: $0.path).standardizedFileURL.path, sha256: $0.sha256)
        }
    }

    /// Every change's outcome, as a plan file records it.
    private var plannedOutcomes: [PlanFile.Planned] {
        zip(changeFile?.rows ?? [], results).map { row, result in
            PlanFile.Planned(
                change: row.request.name, outcome: result!.outcome.rawValue, rule: result!.rule?.rawValue ?? "")
        }
    }

    private mutating func recordInput(_ path: String, role: String) throws(BatchError) {
        do {
            let digest = try FileDigest.sha256(path: path, maximumBytes: configuration.maximumInputBytes)
            inputs.append(SummaryReport.Input(path: path, role: role, sha256: digest.hex, bytes: digest.bytes))
        } catch { throw .input(error) }
    }

    private func readWhole(_ path: String) throws(InputError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, "cannot read the file")
        }
        return [UInt8](data)
    }

    /// Changes group by tenant and user (users without regard to case); a row naming no tenant or user stands
    /// alone, for R-INPUT-ROW to reject.
    static func userKey(for request: ChangeRequest) -> String {
        if request.tenant.isEmpty || request.user.trimmingWhitespace.isEmpty { return "\u{1}line \(request.line)" }
        return userKey(tenant: request.tenant, user: request.userKey)
    }

    static func userKey(tenant: String, user: String) -> String { tenant + "\u{0}" + user }

    // MARK: First pass: the rule engine

    /// Batches of users the workers take at a time, and how many batches may be in flight per worker: the
    /// memory bound of a pass is `(2 × workers + 2) × batchSize` users, whatever the size of the export.
    static let batchSize = 512

    private var pipelineLimit: Int { 2 * configuration.workers + 2 }

    /// The first pass: every user is read and counted; those the change file names go, in batches, to the workers
    /// that run the rule engine, while reading goes on.
    private mutating func evaluateChanges() throws(BatchError) {
        let requests = changeFile?.rows.map(\.request) ?? []
        let (changesByUser, policies, createUsers) = (changesByUser, policies, configuration.createUsers)
        let collected = CollectorConfined([String: UserEvaluation]())
        let pipeline = OrderedPipeline<[ExportRecord], [(String, UserEvaluation)]>(
            workers: configuration.workers, limit: pipelineLimit,
            transform: { records in
                records.map { record in
                    let key = Self.userKey(tenant: record.tenant, user: record.user.key)
                    let evaluation = RuleEngine.evaluate(
                        user: record.user, policy: policies.policy(for: record.tenant),
                        changes: changesByUser[key]!.map { requests[$0] }, createUsers: createUsers)
                    return (key, evaluation)
                }
            },
            consume: { evaluations in
                for (key, evaluation) in evaluations { collected.value[key] = evaluation }
            })

        var tenantFile: [String: Int] = [:]
        do {
            for (fileIndex, path) in exportFiles.enumerated() {
                progress.start(phase: "pass 1/2")
                var reader = try FormatRegistry.exportReader(
                    path: path, maximumBytes: configuration.maximumInputBytes, observeRawBytes: progress.read)
                var position = 0
                var batch: [ExportRecord] = []
                while let record = try reader.next() {
                    let tenant = record.tenant
                    progress.count(rows: record.rowCount)
                    if let other = tenantFile[tenant], other != fileIndex {
                        throw InputError(
                            file: path, line: record.line, column: 1,
                            "tenant '\(tenant)' is also in \(exportFiles[other]): a tenant lives in one export")
                    }
                    tenantFile[tenant] = fileIndex
                    var tenantTotals = totals[tenant] ?? TenantTotals(tenant: tenant)
                    tenantTotals.isInScope = configuration.includes(tenant: tenant)
                    tenantTotals.exportFile = path
                    tenantTotals.users.before += 1
                    tenantTotals.rowsRead += record.rowCount
                    for method in record.user.methods {
                        tenantTotals.methods[method.kind, default: .init()].before += 1
                    }
                    totals[tenant] = tenantTotals
                    lastUserOfTenant[tenant] = (fileIndex, position)
                    position += 1

                    if tenantTotals.isInScope
                        && changesByUser[Self.userKey(tenant: tenant, user: record.user.key)] != nil
                    {
                        batch.append(record)
                        if batch.count == Self.batchSize {
                            try pipeline.submit(batch)
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                }
                if !batch.isEmpty { try pipeline.submit(batch) }
                unconfirmedRepeats.append(reader.unconfirmedRepeats)
            }
            try pipeline.finish()
        } catch {
            // Let the workers finish before the error leaves: nothing may run on after the run has failed.
            try? pipeline.finish()
            throw BatchError(error)
        }
        evaluations = collected.value

        // Users the exports do not hold: R-TENANT-SCOPE, R-USER-UNKNOWN, or created by `--create-users`.
        for key in userOrder where evaluations[key] == nil {
            let indices = changesByUser[key]!
            let tenant = changeFile!.rows[indices[0]].request.tenant
            let inScope = totals[tenant]?.isInScope ?? false
            let evaluation = RuleEngine.evaluate(
                user: nil, policy: inScope ? policies.policy(for: tenant) : nil,
                changes: indices.map { changeFile!.rows[$0].request }, createUsers: configuration.createUsers)
            evaluations[key] = evaluation
            if evaluation.after != nil { createdUsers[tenant, default: []].append(key) }
        }
        for (key, evaluation) in evaluations {
            for (index, result) in zip(changesByUser[key]!, evaluation.results) { results[index] = result }
        }
    }

    // MARK: Thresholds and counts

    /// R-THRESHOLD-DELETES: a tenant whose applied deletes exceed its limit is held whole.
    private mutating func decideThresholds() {
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

    private mutating func countDecisions() {
        guard let changeFile else { return }
        for (row, result) in zip(changeFile.rows, results) {
            let result = result!
            let tenant = row.request.tenant
            var tenantTotals = totals[tenant] ?? TenantTotals(tenant: tenant)
            tenantTotals.changes.read += 1
            tenantTotals.count(result.outcome)
            for kind in result.added { tenantTotals.methods[kind, default: .init()].added += 1 }
            for kind in result.deleted { tenantTotals.methods[kind, default: .init()].deleted += 1 }
            if result.createdUser { tenantTotals.users.created += 1 }
            totals[tenant] = tenantTotals
        }
    }

    // MARK: Second pass: exports and findings

    /// Writes every export (to a temporary file for `apply`, to nowhere for the others), auditing each user.
    /// What a worker makes of a batch of users in the second pass.
    private struct EncodedBatch: Sendable {
        /// Consecutive users of one tenant, encoded, with what they hold.
        struct Segment: Sendable {
            var tenant: String
            var bytes: [UInt8] = []
            var totals = WrittenTotals()
        }
        var segments: [Segment] = []
        var findings: [UInt8] = []
        var findingCounts: [String: [FindingID: Int]] = [:]
        /// The first users of each tenant and finding, for the report page.
        var findingExamples: [String: [FindingID: [String]]] = [:]
        var rowsReread: [String: Int] = [:]

        /// Keeps the first few examples of each finding, in order.
        mutating func addExample(_ user: String, tenant: String, finding: FindingID) {
            var examples = findingExamples[tenant, default: [:]][finding, default: []]
            guard examples.count < HTMLReport.examplesShown else { return }
            examples.append(user)
            findingExamples[tenant, default: [:]][finding] = examples
        }
    }

    /// The second pass: every export is read again and its users, in batches, go to the workers, which put in the
    /// users' new state (unless their tenant is held), audit them and encode them; the collector writes the bytes
    /// in order. For `apply` to a temporary file; for the others to nowhere.
    private mutating func writeExports(findings: FindingsReport?) throws(BatchError) -> [AtomicFileSink] {
        var outputPaths: [String]? = nil
        if configuration.command == .apply, let folder = configuration.outputDirectory {
            try InputDiscovery.makeFolder(folder)
            outputPaths = try InputDiscovery.outputPaths(for: exportFiles, in: folder)
        }
        if let folder = configuration.outputDirectory, outputPaths != nil { removeStaleTemporaries(in: folder) }
        let evaluations = evaluations
        let heldTenants = Set(totals.values.filter(\.isHeld).map(\.tenant))
        let inScopeTenants = Set(totals.values.filter(\.isInScope).map(\.tenant))
        let policies = policies
        var outputs: [AtomicFileSink] = []
        for (fileIndex, path) in exportFiles.enumerated() {
            do {
                let writer: any ExportWriter
                if let outputPaths {
                    // Same name, same format, compressed exactly when the input was.
                    let atomic = try AtomicFileSink(path: outputPaths[fileIndex])
                    outputs.append(atomic)
                    writer = try FormatRegistry.exportWriter(
                        try FormatRegistry.describe(path: path), path: outputPaths[fileIndex], sink: atomic)
                } else {
                    // A dry run encodes every user to count it, but has nothing to compress.
                    var description = try FormatRegistry.describe(path: path)
                    description.isCompressed = false
                    writer = try FormatRegistry.exportWriter(description, path: path, sink: DiscardingByteSink())
                }
                let encoder = writer.encoder
                let output = CollectorConfined((writer: writer, findings: findings, batch: EncodedBatch()))
                let pipeline = OrderedPipeline<[ExportRecord], EncodedBatch>(
                    workers: configuration.workers, limit: pipelineLimit,
                    transform: { records in
                        var batch = EncodedBatch()
                        for var record in records {
                            let tenant = record.tenant
                            let key = Self.userKey(tenant: tenant, user: record.user.key)
                            if !heldTenants.contains(tenant), let after = evaluations[key]?.after {
                                record.user = after
                            }
                            if batch.segments.last?.tenant != tenant { batch.segments.append(.init(tenant: tenant)) }
                            try encoder.encode(record, into: &batch.segments[batch.segments.count - 1].bytes)
                            batch.segments[batch.segments.count - 1].totals.count(record.user)
                            batch.rowsReread[tenant, default: 0] += record.rowCount
                            guard inScopeTenants.contains(tenant) else { continue }
                            let found = Audit.findings(for: record.user, policy: policies.policy(for: tenant))
                            for finding in found {
                                batch.findingCounts[tenant, default: [:]][finding.id, default: 0] += 1
                                batch.addExample(record.user.name, tenant: tenant, finding: finding.id)
                            }
                            FindingsReport.encode(
                                tenant: tenant, user: record.user.name, findings: found, into: &batch.findings)
                        }
                        return batch
                    },
                    consume: { batch in
                        for segment in batch.segments {
                            try output.value.writer.write(
                                encoded: segment.bytes, tenant: segment.tenant, totals: segment.totals)
                        }
                        if !batch.findings.isEmpty { try output.value.findings?.write(encoded: batch.findings) }
                        for (tenant, counts) in batch.findingCounts {
                            for (id, count) in counts {
                                output.value.batch.findingCounts[tenant, default: [:]][id, default: 0] += count
                            }
                        }
                        for (tenant, rows) in batch.rowsReread {
                            output.value.batch.rowsReread[tenant, default: 0] += rows
                        }
                        for (tenant, examples) in batch.findingExamples {
                            for (finding, users) in examples.sorted(by: { $0.key < $1.key }) {
                                for user in users {
                                    output.value.batch.addExample(user, tenant: tenant, finding: finding)
                                }
                            }
                        }
                    })

                progress.start(phase: "pass 2/2")
                var reader = try FormatRegistry.exportReader(
                    path: path, maximumBytes: configuration.maximumInputBytes,
                    confirming: unconfirmedRepeats[fileIndex], observeRawBytes: progress.read)
                var position = 0
                var batch: [ExportRecord] = []
                do {
                    while let record = try reader.next() {
                        let tenant = record.tenant
                        progress.count(rows: record.rowCount)
                        guard let last = lastUserOfTenant[tenant], last.file == fileIndex else {
                            throw InputError(
                                file: path, line: record.line, column: 1,
                                "the file changed while secinfo was reading it (tenant '\(tenant)' is new): run again")
                        }
                        batch.append(record)
                        // The users changes created go right after the tenant's last user.
                        if last.position == position && !heldTenants.contains(tenant) {
                            for key in createdUsers[tenant] ?? [] {
                                batch.append(
                                    ExportRecord(tenant: tenant, user: evaluations[key]!.after!, line: 0, rowCount: 0))
                            }
                        }
                        position += 1
                        if batch.count >= Self.batchSize {
                            try pipeline.submit(batch)
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                    if !batch.isEmpty { try pipeline.submit(batch) }
                    try pipeline.finish()
                } catch {
                    try? pipeline.finish()
                    throw error
                }
                var finished = output.value.writer
                try finished.finish()
                if let atomic = outputs.last, outputPaths != nil { try atomic.finish() }
                for (tenant, written) in finished.written {
                    totals[tenant]!.users.after += written.users
                    for (kind, count) in written.methods {
                        totals[tenant]!.methods[kind, default: .init()].after += count
                    }
                }
                for (tenant, rows) in output.value.batch.rowsReread { totals[tenant]!.rowsReread += rows }
                for (tenant, counts) in output.value.batch.findingCounts {
                    for (id, count) in counts { totals[tenant]!.findings[id, default: 0] += count }
                }
                for (tenant, examples) in output.value.batch.findingExamples {
                    for (finding, users) in examples { findingExamples[tenant, default: [:]][finding] = users }
                }
            } catch {
                for output in outputs { output.discard() }
                throw BatchError(error)
            }
        }
        return outputs
    }
}
