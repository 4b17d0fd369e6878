import Foundation
import Logging
import SecurityInfo
import SecurityInfoFormats

/// The first pass: the rule engine.
extension BatchRun {
    /// How many chunks may be in flight: the memory bound of a reading is `(2 × workers + 2)` chunks of whole
    /// users, whatever the size of the export.
    var pipelineLimit: Int { 2 * configuration.workers + 2 }

    /// The first pass: each export is cut into chunks of whole users, which the workers parse, running the rule
    /// engine on the users the change file names; the collector counts every user in file order.
    mutating func evaluateChanges() throws(BatchError) {
        let evaluator = changeEvaluator
        let collected = CollectorConfined(firstPassCounts)
        let progress = progress
        for (fileIndex, path) in exportFiles.enumerated() {
            progress.start(phase: "pass 1/2", of: 2)
            var reading: ExportReading
            do { reading = try openExport(fileIndex) } catch { throw .input(error) }
            let runCheck = reading.chunks.runCheck
            let pipeline = OrderedPipeline<ExportChunk, FirstPassChunk>(
                workers: configuration.workers, limit: pipelineLimit,
                transform: { chunk in
                    let users = chunk.read()
                    return FirstPassChunk(users: users, evaluated: evaluator.evaluate(users.records))
                },
                consume: { chunk in
                    try collected.value.count(chunk, file: fileIndex, path: path, runCheck: runCheck)
                    progress.count(chunk.users.records)
                })
            try Self.run(pipeline, reading: &reading.chunks)
            try finishReading(reading, file: fileIndex)
            collected.value.endFile()
            unconfirmedRepeats.append(reading.chunks.unconfirmedRepeats)
        }
        takeCounts(collected.value)
    }

    /// What the workers need to run the rule engine on the users the change file names.
    var changeEvaluator: ChangeEvaluator {
        ChangeEvaluator(
            tenantsWithChanges: changeIndex.tenants.filter(configuration.includes(tenant:)), index: changeIndex,
            changeFile: changeFile ?? ChangeFile(path: ""),
            policies: policies, createUsers: configuration.createUsers)
    }

    /// Counting in file order, empty.
    var firstPassCounts: FirstPassCounts {
        FirstPassCounts(
            exportFiles: exportFiles, changeCount: changeFile?.rows.count ?? 0,
            includes: { [configuration] in configuration.includes(tenant: $0) })
    }

    /// Takes what the collector counted in file order, then evaluates the changes of users the exports do not hold.
    mutating func takeCounts(_ counts: FirstPassCounts) {
        totals = counts.totals
        lastUserOfTenant = counts.lastUsers
        results = counts.results
        guard let changeFile else { return }

        // Users the exports do not hold: R-TENANT-SCOPE, R-USER-UNKNOWN, or created by `--create-users`. A user's
        // changes are decided together, at the first of them.
        for row in changeFile.rows.indices where !results.isDecided(row) {
            let rows = changeIndex.changes(sameUserAs: row, in: changeFile)
            let tenant = changeFile.rows[row].request.tenant
            let inScope = totals[tenant]?.isInScope ?? false
            let evaluation = RuleEngine.evaluate(
                user: nil, policy: inScope ? policies.policy(for: tenant) : nil,
                changes: rows.map { changeFile.rows[$0].request }, createUsers: configuration.createUsers)
            for (row, result) in zip(rows, evaluation.results) { results[row] = result }
            if let user = evaluation.after { createdUsers[tenant, default: []].append(user) }
        }
    }
}

/// The rule engine's side of a pass, for the workers: the users the change file names, and their changes.
struct ChangeEvaluator: Sendable {
    /// The tenants in scope that a change names: the users of the others need no lookup.
    let tenantsWithChanges: Set<String>
    let index: ChangeIndex
    let changeFile: ChangeFile
    let policies: PolicySet
    let createUsers: Bool

    /// A user the change file names, run through the rule engine.
    struct Evaluated: Sendable {
        /// The user's place among the records evaluated.
        var index: Int
        /// The change file's rows naming the user, in file order, one result each.
        var rows: [Int]
        var evaluation: UserEvaluation
    }

    /// The users among `records` the change file names, each run through the rule engine.
    func evaluate(_ records: [ExportRecord]) -> [Evaluated] {
        var evaluated: [Evaluated] = []
        // Whether the tenant has changes, looked up once per run of the tenant's users.
        var tenant = ""
        var tenantHasChanges = false
        for (position, record) in records.enumerated() {
            if record.tenant != tenant {
                tenant = record.tenant
                tenantHasChanges = tenantsWithChanges.contains(tenant)
            }
            guard tenantHasChanges else { continue }
            let rows = index.changes(tenant: tenant, userKey: record.user.key, in: changeFile)
            guard !rows.isEmpty else { continue }
            let evaluation = RuleEngine.evaluate(
                user: record.user, policy: policies.policy(for: tenant),
                changes: rows.map { changeFile.rows[$0].request }, createUsers: createUsers)
            evaluated.append(.init(index: position, rows: rows, evaluation: evaluation))
        }
        return evaluated
    }
}

/// What a worker makes of a chunk in the first pass.
struct FirstPassChunk: Sendable {
    /// The chunk's users, and its error, raised after the users before it are counted.
    var users: ExportChunk.Users
    /// The decisions on the changes of the chunk's users: the rows of the change file, and a result each. The users'
    /// new states are not kept: a second pass evaluates them again.
    var decided: [(rows: [Int], results: [ChangeResult])]

    init(users: ExportChunk.Users, evaluated: [ChangeEvaluator.Evaluated]) {
        self.users = users
        decided = evaluated.map { ($0.rows, $0.evaluation.results) }
    }
}

/// Pass 1's counting, on the collector, in file order: every user into its tenant's totals, where each tenant's
/// last user is, and the rule engine's evaluations.
struct FirstPassCounts {
    let exportFiles: [String]
    let includes: (String) -> Bool
    var totals: [String: TenantTotals] = [:]
    var lastUsers: [String: (file: Int, line: Int)] = [:]
    /// The decision on each row of the change file, as the users it names are met.
    var results: ChangeResults
    private var tenantFile: [String: Int] = [:]
    /// A tenant's users are usually together: they are counted in a small accumulator, not a dictionary entry each.
    private var run = TenantCounts(tenant: "")

    init(exportFiles: [String], changeCount: Int, includes: @escaping (String) -> Bool) {
        self.exportFiles = exportFiles
        results = ChangeResults(count: changeCount)
        self.includes = includes
    }

    mutating func count(_ chunk: FirstPassChunk, file: Int, path: String, runCheck: ExportRunCheck?) throws(InputError)
    {
        for record in chunk.users.records {
            try runCheck?.check(record)
            let tenant = record.tenant
            if tenant != run.tenant {
                run.flush(into: &totals, lastUsers: &lastUsers)
                if let other = tenantFile[tenant], other != file {
                    throw InputError(
                        file: path, line: record.line, column: 1,
                        "tenant '\(tenant)' is also in \(exportFiles[other]): a tenant lives in one export")
                }
                tenantFile[tenant] = file
                run = TenantCounts(tenant: tenant)
                run.isInScope = includes(tenant)
                run.exportFile = path
            }
            run.add(record, file: file)
        }
        for (rows, decided) in chunk.decided {
            for (row, result) in zip(rows, decided) { results[row] = result }
        }
        if let failure = chunk.users.failure {
            if let unfinished = chunk.users.unfinished { try runCheck?.check(unfinished) }
            throw failure
        }
    }

    mutating func endFile() {
        run.flush(into: &totals, lastUsers: &lastUsers)
        run = TenantCounts(tenant: "")
    }
}

/// Pass 1's counts for the run of users of one tenant being read, added to the tenant's totals when the run ends.
struct TenantCounts {
    var tenant: String
    var isInScope = false
    var exportFile = ""
    var users = 0
    var rows = 0
    var methods = [Int](repeating: 0, count: MethodKind.allCases.count)
    /// Where the run's last user is: the export file, and the line the user starts on.
    private var lastUser: (file: Int, line: Int)?

    init(tenant: String) { self.tenant = tenant }

    mutating func add(_ record: ExportRecord, file: Int) {
        users += 1
        rows += record.rowCount
        for method in record.user.methods { methods[method.kind.ordinal] += 1 }
        lastUser = (file, record.line)
    }

    /// Adds the run's counts to the tenant's totals, records where its last user is, and starts empty.
    mutating func flush(
        into totals: inout [String: TenantTotals], lastUsers: inout [String: (file: Int, line: Int)]
    ) {
        guard !tenant.isEmpty, users > 0 else { return }
        var tenantTotals = totals[tenant] ?? TenantTotals(tenant: tenant)
        tenantTotals.isInScope = isInScope
        tenantTotals.exportFile = exportFile
        tenantTotals.users.before += users
        tenantTotals.rowsRead += rows
        for (kind, count) in zip(MethodKind.allCases, methods) where count > 0 {
            tenantTotals.methods[kind, default: .init()].before += count
        }
        totals[tenant] = tenantTotals
        if let lastUser { lastUsers[tenant] = lastUser }
        (users, rows, methods) = (0, 0, [Int](repeating: 0, count: MethodKind.allCases.count))
    }
}

extension BatchRun {
    /// Hands every chunk of an export to a pipeline and waits for it. A pipeline failure is raised before a
    /// reading error: the chunks handed in before the reading failed come first in the file.
    static func run<Output>(
        _ pipeline: OrderedPipeline<ExportChunk, Output>, reading chunks: inout any ExportChunkReader
    )
        throws(BatchError)
    {
        do {
            while let chunk = try chunks.next() { try pipeline.submit(chunk) }
            try pipeline.finish()
        } catch {
            do { try pipeline.finish() } catch let earlier { throw BatchError(earlier) }
            throw BatchError(error)
        }
    }
}
