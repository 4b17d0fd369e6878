import Foundation
import SecurityInfo
import SecurityInfoFormats

/// Both passes in one reading, when the second would change nothing.
///
/// The second pass needs the first for three things only: which tenants are held by their delete threshold,
/// where the users changes create go (after their tenant's last user), and the confirmation of users the first
/// reading could not rule out as repeated. Most runs have none of them. So a run reads each export once, doing
/// what both passes do (each user counted and, if named, evaluated; then written in its new state and audited),
/// as if no tenant were held; and only when it then finds a tenant held, a user created or a repeat unconfirmed
/// does it throw that writing away and write the exports again in a second pass, exactly as before.
extension BatchRun {
    /// Whether what the single reading wrote stands: no tenant held, no user created, no repeat to confirm.
    var singleReadingStands: Bool {
        !totals.values.contains(where: \.isHeld) && createdUsers.isEmpty
            && unconfirmedRepeats.allSatisfy(\.isEmpty)
    }

    /// Reads every export once: counts and evaluates as the first pass does, and writes and audits every user as
    /// the second pass does, taking no tenant as held. Returns the outputs, finished but not in place.
    mutating func evaluateAndWriteExports(findings: FindingsReport?) throws(BatchError) -> [AtomicFileSink] {
        let outputPaths = try prepareOutputFolder()
        let evaluator = changeEvaluator
        let (policies, progress, configuration) = (policies, progress, configuration)
        let collected = CollectorConfined(firstPassCounts)
        var outputs: [AtomicFileSink] = []
        var writtenByFile: [(ExportOutput.Written, AtomicFileSink?)] = []
        for (fileIndex, path) in exportFiles.enumerated() {
            do {
                progress.start(phase: "pass 1/1", of: 1)
                var reading = try openExport(fileIndex)
                let writer = try makeWriter(
                    file: fileIndex, like: reading.description, outputPaths: outputPaths, outputs: &outputs)
                let encoder = writer.encoder
                let runCheck = reading.chunks.runCheck
                let output = CollectorConfined(ExportOutput(writer: writer, findings: findings))
                let pipeline = OrderedPipeline<ExportChunk, (FirstPassChunk, EncodedBatch)>(
                    workers: configuration.workers, limit: pipelineLimit,
                    transform: { chunk in
                        let users = chunk.read()
                        let records = users.records
                        let evaluated = evaluator.evaluate(records)
                        var batch = EncodedBatch(for: chunk)
                        var context: TenantContext?
                        var evaluatedUsers = evaluated.makeIterator()
                        var next = evaluatedUsers.next()
                        for (index, record) in records.enumerated() {
                            if context?.tenant != record.tenant {
                                context = TenantContext(
                                    tenant: record.tenant, last: nil, isHeld: false,
                                    isInScope: configuration.includes(tenant: record.tenant),
                                    policy: policies.policy(for: record.tenant), created: [])
                            }
                            var after: User?
                            if let user = next, user.index == index {
                                after = user.evaluation.after
                                next = evaluatedUsers.next()
                            }
                            try Self.encode(record, as: after, context: context!, encoder: encoder, into: &batch)
                        }
                        return (FirstPassChunk(users: users, evaluated: evaluated), batch)
                    },
                    consume: { chunk, batch in
                        // Counting raises the chunk's error, if any, after its users before it: nothing after it
                        // is written.
                        try collected.value.count(chunk, file: fileIndex, path: path, runCheck: runCheck)
                        progress.count(chunk.users.records)
                        try output.value.take(batch)
                    })
                try Self.run(pipeline, reading: &reading.chunks)
                try finishReading(reading, file: fileIndex)
                collected.value.endFile()
                unconfirmedRepeats.append(reading.chunks.unconfirmedRepeats)
                writtenByFile.append((try output.value.finish(), outputPaths == nil ? nil : outputs.last))
            } catch {
                for output in outputs { output.discard() }
                throw BatchError(error)
            }
        }
        takeCounts(collected.value)
        do {
            for (written, sink) in writtenByFile { try add(written, sink: sink) }
        } catch {
            for output in outputs { output.discard() }
            throw BatchError(error)
        }
        return outputs
    }
}
