/// Discards what is written: `plan` encodes every output to count it, and keeps none.
public final class DiscardingByteSink: ByteSink {
    public init() {}
    public func write(_ buffer: UnsafeRawBufferPointer) throws(OutputError) {}
    public func finish() throws(OutputError) {}
}
