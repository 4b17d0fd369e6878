import SecurityInfo

/// Encodes users in an export's format (CSV rows, an XML `<user>` element) without touching any output, so that
/// workers can encode in parallel while one writer writes in order.
public protocol ExportEncoder: Sendable {
    /// Appends the bytes of one user to `bytes`.
    func encode(_ record: ExportRecord, into bytes: inout [UInt8]) throws(OutputError)
}
