import SecurityInfo
import SecurityInfoFormats

/// What a reading of the exports wrote: the outputs and `findings.csv` under their temporary names (not in place),
/// and what the writer counted. A reading that does not stand is given up with `discard()`, and its value dropped.
struct WrittenExports {
    /// `apply`'s outputs, in input order.
    var outputs: [AtomicFileSink] = []
    /// `findings.csv`, when the run has a report folder.
    var findings: FindingsReport?
    /// Users and methods per tenant, as the writers encoded them.
    var byTenant: [String: WrittenTotals] = [:]
    /// Export rows per tenant handed to the writer.
    var rowsWritten: [String: Int] = [:]
    var findingCounts: [String: [FindingID: Int]] = [:]
    /// A few users per tenant and finding, for the report page.
    var findingExamples: [String: [FindingID: [String]]] = [:]

    /// Removes the temporary files at once, rather than when their last reference goes.
    func discard() {
        for output in outputs { output.discard() }
        findings?.sink.discard()
    }

    /// The totals with what was written added: users and methods after, rows written, findings.
    func added(to decided: [String: TenantTotals]) -> [String: TenantTotals] {
        var totals = decided
        for (tenant, written) in byTenant {
            totals[tenant]!.users.after += written.users
            for (kind, count) in written.methods { totals[tenant]!.methods[kind, default: .init()].after += count }
            for (type, count) in written.others { totals[tenant]!.otherMethods[type, default: .init()].after += count }
        }
        for (tenant, rows) in rowsWritten { totals[tenant]!.rowsWritten += rows }
        for (tenant, counts) in findingCounts {
            for (id, count) in counts { totals[tenant]!.findings[id, default: 0] += count }
        }
        return totals
    }
}

/// The collector's side of writing one export: the encoded batches written in order, with what they counted.
struct ExportOutput {
    private var writer: any ExportWriter
    private let findings: FindingsReport?
    private var counted = EncodedBatch()

    init(writer: any ExportWriter, findings: FindingsReport?) {
        self.writer = writer
        self.findings = findings
    }

    mutating func take(_ batch: EncodedBatch) throws(OutputError) {
        for segment in batch.segments {
            try writer.write(encoded: segment.users, tenant: segment.tenant, totals: segment.totals)
            counted.rowsWritten[segment.tenant, default: 0] += segment.rowsRead
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

    /// Finishes the writer (a gzip trailer, say) and adds what was counted to `written`.
    mutating func finish(into written: inout WrittenExports) throws(OutputError) {
        try writer.finish()
        for (tenant, totals) in writer.written { written.byTenant[tenant] = totals }
        for (tenant, rows) in counted.rowsWritten { written.rowsWritten[tenant, default: 0] += rows }
        for (tenant, counts) in counted.findingCounts {
            for (id, count) in counts { written.findingCounts[tenant, default: [:]][id, default: 0] += count }
        }
        for (tenant, examples) in counted.findingExamples {
            for (finding, users) in examples { written.findingExamples[tenant, default: [:]][finding] = users }
        }
    }
}
