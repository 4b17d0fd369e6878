import SecurityInfo

/// A source that refuses to give more than `maximumBytes` (`--max-input-bytes` for uncompressed inputs).
final class LimitedByteSource: ByteSource {
    private let source: any ByteSource
    private let maximumBytes: Int
    private var total = 0

    init(source: any ByteSource, maximumBytes: Int) {
        self.source = source
        self.maximumBytes = maximumBytes
    }

    var path: String { source.path }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let count = try source.read(into: buffer)
        total += count
        if total > maximumBytes {
            throw InputError(file: path, "is larger than \(maximumBytes) bytes (--max-input-bytes)")
        }
        return count
    }
}
