import SecurityInfo

/// Cuts an export into chunks of whole users (`ExportChunk`), on the reading thread.
public protocol ExportChunkReader {
    var path: String { get }
    /// The next chunk, or `nil` at the end of the export.
    mutating func next() throws(InputError) -> ExportChunk?
    /// What the chunks' users must go through in file order, once parsed (`nil`: nothing).
    var runCheck: ExportRunCheck? { get }
    /// Once every chunk is read and checked: as `ExportReader.unconfirmedRepeats`.
    var unconfirmedRepeats: Set<String> { get }
}
