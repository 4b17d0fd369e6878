/// Collects what is written, for tests and for outputs a dry run only counts.
public final class MemoryByteSink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ buffer: UnsafeRawBufferPointer) throws(OutputError) { bytes.append(contentsOf: buffer) }
    public func finish() throws(OutputError) {}
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
