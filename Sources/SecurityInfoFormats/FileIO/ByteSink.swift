/// A place bytes are written to, in order.
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws(OutputError)
    /// Writes out whatever is buffered (a compressor's last block, a file's buffer); nothing may follow.
    func finish() throws(OutputError)
}

extension ByteSink {
    public func write(_ bytes: [UInt8]) throws(OutputError) {
        var failure: OutputError?
        bytes.withUnsafeBytes { buffer in
            do throws(OutputError) { try write(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
