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
}
