/// Bytes in memory, for tests and for small inputs already read.
public final class MemoryByteSource: ByteSource {
    public let path: String
    private let bytes: [UInt8]
    private let failure: InputError?
    private var offset = 0

    /// - Parameter failure: raised once the bytes are read, where the stream they came from failed.
    public init(path: String, bytes: [UInt8], failure: InputError? = nil) {
        self.path = path
        self.bytes = bytes
        self.failure = failure
    }

    public convenience init(path: String, text: String) { self.init(path: path, bytes: Array(text.utf8)) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if offset == bytes.count, let failure, buffer.count > 0 { throw failure }
        let count = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}
