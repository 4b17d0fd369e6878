import SecurityInfo

/// Writes an export from encoded users, in order, counting what it writes for the control totals.
public protocol ExportWriter {
    /// The encoder whose bytes `write(encoded:tenant:totals:)` takes.
    var encoder: any ExportEncoder { get }
    /// Writes users encoded by `encoder`, all of one tenant, with what they hold (counted as they were encoded).
    mutating func write(encoded bytes: [UInt8], tenant: String, totals: WrittenTotals) throws(OutputError)
    mutating func finish() throws(OutputError)
    /// What was written, per tenant: recounted from the encoded users, not carried over from the input.
    var written: [String: WrittenTotals] { get }
}

extension ExportWriter {
    /// Encodes and writes one user.
    public mutating func write(_ record: ExportRecord) throws(OutputError) {
        var bytes: [UInt8] = []
        try encoder.encode(record, into: &bytes)
        var totals = WrittenTotals()
        totals.count(record.user, otherTypes: record.graph?.otherTypes ?? [])
        try write(encoded: bytes, tenant: record.tenant, totals: totals)
    }
}
