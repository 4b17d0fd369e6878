import Foundation
import Logging
import SecurityInfo
import SecurityInfoFormats

/// The first pass: the rule engine.
extension BatchRun {
    /// Batches of users the workers take at a time, and how many batches may be in flight per worker: the
    /// memory bound of a pass is `(2 × workers + 2) × batchSize` users, whatever the size of the export.
    static let batchSize = 512

    var pipelineLimit: Int { 2 * configuration.workers + 2 }

    /// The first pass: every user is read and counted; those the change file names go, in batches, to the workers
    /// that run the rule engine, while reading goes on.
    mutating func evaluateChanges() throws(BatchError) {
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

        // Users with changes, by tenant then user key: a lookup per record without building a key string.
        var changedUsers: [String: Set<String>] = [:]
        for key in changesByUser.keys {
            guard let separator = key.firstIndex(of: "\u{0}") else { continue }
            changedUsers[String(key[..<separator]), default: []].insert(String(key[key.index(after: separator)...]))
        }
        var tenantFile: [String: Int] = [:]
        do {
            for (fileIndex, path) in exportFiles.enumerated() {
                progress.start(phase: "pass 1/2")
                var reader = try FormatRegistry.exportReader(
                    path: path, maximumBytes: configuration.maximumInputBytes, observeRawBytes: progress.read)
                var position = 0
                var batch: [ExportRecord] = []
                // A tenant's users are usually together: count them in a small accumulator, not a dictionary
                // entry per record.
                var counts = TenantCounts(tenant: "")
                while let record = try reader.next() {
                    let tenant = record.tenant
                    progress.count(rows: record.rowCount)
                    if tenant != counts.tenant {
                        counts.flush(into: &totals, lastUsers: &lastUserOfTenant)
                        if let other = tenantFile[tenant], other != fileIndex {
                            throw InputError(
                                file: path, line: record.line, column: 1,
                                "tenant '\(tenant)' is also in \(exportFiles[other]): a tenant lives in one export")
                        }
                        tenantFile[tenant] = fileIndex
                        counts = TenantCounts(tenant: tenant)
                        counts.isInScope = configuration.includes(tenant: tenant)
                        counts.changedUsers = counts.isInScope ? changedUsers[tenant] ?? [] : []
                        counts.exportFile = path
                    }
                    counts.add(record, position: position, file: fileIndex)
                    position += 1

                    if !counts.changedUsers.isEmpty && counts.changedUsers.contains(record.user.key) {
                        batch.append(record)
                        if batch.count == Self.batchSize {
                            try pipeline.submit(batch)
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                }
                counts.flush(into: &totals, lastUsers: &lastUserOfTenant)
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
}

/// Pass 1's counts for the run of users of one tenant being read, added to the tenant's totals when the run ends.
struct TenantCounts {
    var tenant: String
    var isInScope = false
    var exportFile = ""
    var changedUsers: Set<String> = []
    var users = 0
    var rows = 0
    var methods = [Int](repeating: 0, count: MethodKind.allCases.count)
    /// Where the run's last user is: the export file, and the user's position in it.
    private var lastPosition: (file: Int, position: Int)?

    init(tenant: String) { self.tenant = tenant }

    mutating func add(_ record: ExportRecord, position: Int, file: Int) {
        users += 1
        rows += record.rowCount
        for method in record.user.methods { methods[MethodKind.allCases.firstIndex(of: method.kind)!] += 1 }
        lastPosition = (file, position)
    }

    /// Adds the run's counts to the tenant's totals, records where its last user is, and starts empty.
    mutating func flush(
        into totals: inout [String: TenantTotals], lastUsers: inout [String: (file: Int, position: Int)]
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
        if let lastPosition { lastUsers[tenant] = lastPosition }
        (users, rows, methods) = (0, 0, [Int](repeating: 0, count: MethodKind.allCases.count))
    }
}
