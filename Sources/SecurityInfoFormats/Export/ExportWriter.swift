import SecurityInfo

/// Writes an export from encoded users, in order, counting what it writes for the control totals.
public protocol ExportWriter {
    /// The encoder whose bytes `write(encoded:tenant:totals:)` takes.
    var encoder: any ExportEncoder { get }
    /// Writes users encoded by `encoder` (or kept as read from an input of the writer's format), all of one tenant,
    /// with what they hold (counted as they were encoded).
    mutating func write(encoded users: EncodedUsers, tenant: String, totals: WrittenTotals) throws(OutputError)
    mutating func finish() throws(OutputError)
    /// What was written, per tenant: recounted from the encoded users, not carried over from the input.
    var written: [String: WrittenTotals] { get }
}

extension ExportWriter {
    /// Encodes and writes one user.
    public mutating func write(_ record: ExportRecord) throws(OutputError) {
        var users = EncodedUsers()
        try users.append { (bytes) throws(OutputError) in try encoder.encode(record, into: &bytes) }
        var totals = WrittenTotals()
        totals.count(record.user, otherTypes: record.graph?.otherTypes ?? [])
        try write(encoded: users, tenant: record.tenant, totals: totals)
    }
}
