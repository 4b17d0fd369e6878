/// An input file opened once: its format is told from, and its parser reads, the bytes of that one opening, and
/// an observer sees each byte as the parser is given it. So a digest taken by the observer is of exactly the bytes
/// parsed, however the file is replaced or rewritten on disk meanwhile.
public final class InputFile: ByteSource {
    public let path: String
    private let file: FileByteSource
    private let observe: ((UnsafeRawBufferPointer) -> Void)?
    /// Bytes read ahead by `peek` and not yet given to the parser; only ever the file's first bytes.
    private var head: [UInt8] = []
    private var headOffset = 0
    private var isAtEnd = false
    /// The bytes given so far.
    public private(set) var bytesRead = 0

    /// - Parameter observe: sees every byte given to the parser, once, in order (a digest, progress).
    public init(path: String, observe: ((UnsafeRawBufferPointer) -> Void)? = nil) throws(InputError) {
        self.path = path
        self.file = try FileByteSource(path: path)
        self.observe = observe
    }

    /// Up to `count` of the file's first bytes, which `read` then gives as usual. Only before any `read`.
    public func peek(_ count: Int) throws(InputError) -> [UInt8] {
        precondition(bytesRead == 0, "peek looks at the file's start only")
        var buffer = [UInt8](repeating: 0, count: max(count - head.count, 0))
        while head.count < count && !isAtEnd {
            let wanted = count - head.count
            let got = try buffer.withUnsafeMutableBytes { (buffer) -> Result<Int, InputError> in
                do throws(InputError) {
                    return .success(try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted])))
                } catch { return .failure(error) }
            }.get()
            if got == 0 { isAtEnd = true }
            head += buffer[..<got]
        }
        return Array(head.prefix(count))
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let count: Int
        if headOffset < head.count {
            count = min(buffer.count, head.count - headOffset)
            head.withUnsafeBytes {
                buffer.baseAddress!.copyMemory(from: $0.baseAddress! + headOffset, byteCount: count)
            }
            headOffset += count
            if headOffset == head.count { (head, headOffset) = ([], 0) }
        } else if isAtEnd {
            return 0
        } else {
            count = try file.read(into: buffer)
        }
        bytesRead += count
        observe?(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        return count
    }

    /// Reads what the parser left unread (a parser may stop at its document's end), so the observer has seen the
    /// whole file.
    public func readToEnd() throws(InputError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
        defer { buffer.deallocate() }
        while try read(into: buffer) > 0 {}
    }
}
