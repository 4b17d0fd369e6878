import Foundation
import Logging
import SecurityInfo
import SecurityInfoFormats

/// The second pass: exports and findings.
extension BatchRun {
    /// Writes every export (to a temporary file for `apply`, to nowhere for the others), auditing each user.
    /// What a worker makes of a batch of users in the second pass.
    struct EncodedBatch: Sendable {
        /// Consecutive users of one tenant, encoded, with what they hold.
        struct Segment: Sendable {
            var tenant: String
            var bytes: [UInt8] = []
            var totals = WrittenTotals()
            /// The export rows its users took when read.
            var rowsRead = 0
        }
        var segments: [Segment] = []
        /// The room the first segment starts with: about the chunk's own size, so that its bytes are not copied as
        /// they grow, and stay under the size glibc maps and unmaps on each use (see the command line's threshold).
        var segmentCapacity = 0

        init() {}

        /// An empty batch for the users of `chunk`, its first segment to start at about the chunk's size.
        init(for chunk: ExportChunk) { segmentCapacity = chunk.byteCount + chunk.byteCount / 8 + 4096 }
        var findings: [UInt8] = []
        var findingCounts: [String: [FindingID: Int]] = [:]
        /// The first users of each tenant and finding, for the report page.
        var findingExamples: [String: [FindingID: [String]]] = [:]
        /// Rows read, per tenant: summed on the collector from the segments'.
        var rowsReread: [String: Int] = [:]
        /// The users read, for the checks made in file order, and the chunk's error, raised after them.
        var records: [ExportRecord] = []
        var failure: InputError?
        var unfinished: ExportRecord?
        /// The first user the batch decided otherwise than the first pass did: the file changed, unless the user is
        /// repeated further on, which the run check then reports (the first pass kept the later copy's decisions).
        var decidedOtherwise: InputError?

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
    mutating func writeExports(findings: FindingsReport?) throws(BatchError) -> [AtomicFileSink] {
        let outputPaths = try prepareOutputFolder()
        let heldTenants = Set(totals.values.filter(\.isHeld).map(\.tenant))
        let inScopeTenants = Set(totals.values.filter(\.isInScope).map(\.tenant))
        let (policies, lastUserOfTenant, progress, results) = (policies, lastUserOfTenant, progress, results)
        let evaluator = changeEvaluator
        // The users changes created, after the tenant's last user, unless the tenant is held.
        let created = createdUsers.filter { !heldTenants.contains($0.key) }.mapValues { users in
            users.map { ExportRecord(tenant: "", user: $0, line: 0, rowCount: 0) }
        }
        var outputs: [AtomicFileSink] = []
        for (fileIndex, path) in exportFiles.enumerated() {
            do {
                progress.start(phase: "pass 2/2", of: 2)
                var reading = try openExport(fileIndex, confirming: unconfirmedRepeats[fileIndex])
                let writer = try makeWriter(
                    file: fileIndex, like: reading.description, outputPaths: outputPaths, outputs: &outputs)
                let encoder = writer.encoder
                let runCheck = reading.chunks.runCheck
                let output = CollectorConfined(ExportOutput(writer: writer, findings: findings))
                let decidedOtherwise = CollectorConfined<InputError?>(nil)
                let pipeline = OrderedPipeline<ExportChunk, EncodedBatch>(
                    workers: configuration.workers, limit: pipelineLimit,
                    transform: { chunk in
                        var batch = EncodedBatch(for: chunk)
                        let users = chunk.read()
                        var (records, failure, unfinished) = (users.records, users.failure, users.unfinished)
                        // The users the change file names are evaluated again, rather than their new states kept
                        // from the first pass: memory is what a large change file costs.
                        var evaluatedUsers = evaluator.evaluate(records).makeIterator()
                        var next = evaluatedUsers.next()
                        // What a user's tenant decides, looked up once per run of the tenant's users.
                        var context: TenantContext?
                        for (index, record) in records.enumerated() {
                            let tenant = record.tenant
                            if context?.tenant != tenant {
                                context = TenantContext(
                                    tenant: tenant, last: lastUserOfTenant[tenant],
                                    isHeld: heldTenants.contains(tenant),
                                    isInScope: inScopeTenants.contains(tenant), policy: policies.policy(for: tenant),
                                    created: created[tenant] ?? [])
                            }
                            let tenantContext = context!
                            guard let last = tenantContext.last, last.file == fileIndex else {
                                failure = InputError(
                                    file: path, line: record.line, column: 1,
                                    "the file changed while secinfo was reading it (tenant '\(tenant)' is new): run again"
                                )
                                records.removeSubrange(index...)
                                unfinished = nil
                                break
                            }
                            var after: User?
                            // A held tenant's users stay as they were (and their results say held).
                            if let user = next, user.index == index, !tenantContext.isHeld {
                                // The same rows decided otherwise: the export is not what the first pass read.
                                if batch.decidedOtherwise == nil
                                    && !user.evaluation.results.elementsEqual(user.rows.map({ results[$0]! }))
                                {
                                    batch.decidedOtherwise = InputError(
                                        file: path, line: record.line, column: 1,
                                        "the file changed while secinfo was reading it (user '\(record.user.name)' is not as it was): run again"
                                    )
                                }
                                after = user.evaluation.after
                            }
                            if let user = next, user.index == index { next = evaluatedUsers.next() }
                            try Self.encode(record, as: after, context: tenantContext, encoder: encoder, into: &batch)
                            // The users changes created go right after the tenant's last user.
                            if last.line == record.line {
                                for user in tenantContext.created {
                                    var user = user
                                    user.tenant = tenant
                                    try Self.encode(
                                        user, as: nil, context: tenantContext, encoder: encoder, into: &batch)
                                }
                            }
                        }
                        (batch.records, batch.failure, batch.unfinished) = (records, failure, unfinished)
                        return batch
                    },
                    consume: { batch in
                        if let runCheck, !runCheck.isIdle {
                            for record in batch.records { try runCheck.check(record) }
                            if batch.failure != nil, let unfinished = batch.unfinished {
                                try runCheck.check(unfinished)
                            }
                        }
                        progress.count(batch.records)
                        try output.value.take(batch)
                        if let failure = batch.failure { throw failure }
                        if decidedOtherwise.value == nil { decidedOtherwise.value = batch.decidedOtherwise }
                    })
                try Self.run(pipeline, reading: &reading.chunks)
                // Raised once the whole file is read: a repeated user, which explains it, is reported first.
                if let changed = decidedOtherwise.value { throw changed }
                try finishReading(reading, file: fileIndex)
                try add(output.value.finish(), sink: outputPaths == nil ? nil : outputs.last)
            } catch {
                for output in outputs { output.discard() }
                throw BatchError(error)
            }
        }
        return outputs
    }

    /// The output folder made and cleared of a killed run's leftovers; the outputs' paths (`apply` only).
    func prepareOutputFolder() throws(BatchError) -> [String]? {
        guard configuration.command == .apply, let folder = configuration.outputDirectory else { return nil }
        try createdFolders.make(folder)
        let paths = try InputDiscovery.outputPaths(for: exportFiles, in: folder)
        removeStaleTemporaries(in: folder)
        return paths
    }

    /// The writer of an export: to a temporary file beside its output path for `apply` (same name, same format,
    /// compressed exactly when the input, as read, was), appended to `outputs`; to nowhere for the others.
    func makeWriter(
        file: Int, like input: FileDescription, outputPaths: [String]?, outputs: inout [AtomicFileSink]
    ) throws -> any ExportWriter {
        if let outputPaths {
            let atomic = try AtomicFileSink(path: outputPaths[file])
            outputs.append(atomic)
            return try FormatRegistry.exportWriter(input, path: outputPaths[file], sink: atomic)
        }
        // A dry run encodes every user to count it, but has nothing to compress.
        var description = input
        description.isCompressed = false
        return try FormatRegistry.exportWriter(description, path: exportFiles[file], sink: DiscardingByteSink())
    }

    /// Adds what an export's writing counted to the totals, and finishes its file.
    mutating func add(_ written: ExportOutput.Written, sink: AtomicFileSink?) throws {
        try sink?.finish()
        for (tenant, tenantWritten) in written.byTenant {
            totals[tenant]!.users.after += tenantWritten.users
            for (kind, count) in tenantWritten.methods {
                totals[tenant]!.methods[kind, default: .init()].after += count
            }
        }
        for (tenant, rows) in written.batch.rowsReread { totals[tenant]!.rowsReread += rows }
        for (tenant, counts) in written.batch.findingCounts {
            for (id, count) in counts { totals[tenant]!.findings[id, default: 0] += count }
        }
        for (tenant, examples) in written.batch.findingExamples {
            for (finding, users) in examples { findingExamples[tenant, default: [:]][finding] = users }
        }
    }

    /// Forgets what writing counted, before the exports are written again.
    mutating func resetWrittenTotals() {
        for tenant in totals.keys {
            totals[tenant]!.users.after = 0
            totals[tenant]!.rowsReread = 0
            totals[tenant]!.findings = [:]
            for kind in totals[tenant]!.methods.keys { totals[tenant]!.methods[kind]!.after = 0 }
            // A kind only the first writing brought (an add in a tenant then held) has no row in two passes.
            totals[tenant]!.methods = totals[tenant]!.methods.filter { $0.value != .init() }
        }
        findingExamples = [:]
    }

    /// What a user's tenant decides in the second pass.
    struct TenantContext {
        var tenant: String
        var last: (file: Int, line: Int)?
        var isHeld: Bool
        var isInScope: Bool
        var policy: TenantPolicy
        /// The users changes created, written after the tenant's last user (none when the tenant is held).
        var created: [ExportRecord]
    }

    /// On a worker: one user, in its new state when it has one, encoded, counted and audited.
    static func encode(
        _ record: ExportRecord, as after: User?, context: TenantContext, encoder: any ExportEncoder,
        into batch: inout EncodedBatch
    ) throws(OutputError) {
        let tenant = record.tenant
        if batch.segments.last?.tenant != tenant {
            var segment = EncodedBatch.Segment(tenant: tenant)
            // Only the first: a chunk of many small tenants would otherwise reserve its size for each.
            if batch.segments.isEmpty { segment.bytes.reserveCapacity(batch.segmentCapacity) }
            batch.segments.append(segment)
        }
        let last = batch.segments.count - 1
        // Most users are written as read: the record is copied only for one in a new state.
        let user = after ?? record.user
        if let after {
            var changed = record
            changed.user = after
            try encoder.encode(changed, into: &batch.segments[last].bytes)
        } else {
            try encoder.encode(record, into: &batch.segments[last].bytes)
        }
        batch.segments[last].totals.count(user)
        batch.segments[last].rowsRead += record.rowCount
        guard context.isInScope else { return }
        let found = Audit.findings(for: user, policy: context.policy)
        guard !found.isEmpty else { return }
        for finding in found {
            batch.findingCounts[tenant, default: [:]][finding.id, default: 0] += 1
            batch.addExample(user.name, tenant: tenant, finding: finding.id)
        }
        FindingsReport.encode(tenant: tenant, user: user.name, findings: found, into: &batch.findings)
    }
}

/// The collector's side of writing an export: the encoded batches written in order, with what they counted.
struct ExportOutput {
    var writer: any ExportWriter
    let findings: FindingsReport?
    private var counted = BatchRun.EncodedBatch()

    /// What writing an export counted: users and methods per tenant as written, rows, findings.
    struct Written {
        var byTenant: [String: WrittenTotals]
        var batch: BatchRun.EncodedBatch
    }

    init(writer: any ExportWriter, findings: FindingsReport?) {
        self.writer = writer
        self.findings = findings
    }

    mutating func take(_ batch: BatchRun.EncodedBatch) throws {
        for segment in batch.segments {
            try writer.write(encoded: segment.bytes, tenant: segment.tenant, totals: segment.totals)
            counted.rowsReread[segment.tenant, default: 0] += segment.rowsRead
        }
        if !batch.findings.isEmpty { try findings?.write(encoded: batch.findings) }
        for (tenant, counts) in batch.findingCounts {
            for (id, count) in counts { counted.findingCounts[tenant, default: [:]][id, default: 0] += count }
        }
        for (tenant, examples) in batch.findingExamples {
            for (finding, users) in examples.sorted(by: { $0.key < $1.key }) {
                for user in users { counted.addExample(user, tenant: tenant, finding: finding) }
            }
        }
    }

    /// Finishes the writer (a gzip trailer, say) and gives what was counted.
    mutating func finish() throws -> Written {
        try writer.finish()
        return Written(byTenant: writer.written, batch: counted)
    }
}
