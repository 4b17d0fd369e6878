/// The lines of a Graph export in a buffer: each line's bytes (a CR before its LF left out) and number, blank lines
/// passed over, a BOM at the file's start not part of the first line.
struct GraphLines: Sequence, IteratorProtocol {
    private let bytes: [UInt8]
    private var index: Int
    private var line: Int

    /// - Parameters: `bytes` from `start`, which is on `line`.
    init(_ bytes: [UInt8], from start: Int = 0, line: Int, isFileStart: Bool) {
        self.bytes = bytes
        self.line = line
        index = isFileStart && bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : start
    }

    mutating func next() -> (span: Range<Int>, line: Int)? {
        while index < bytes.count {
            let start = index
            let end = bytes.withUnsafeBufferPointer { $0.firstIndex(of: 0x0A, from: start) } ?? bytes.count
            index = end + 1
            defer { line += 1 }
            var last = end
            if last > start && bytes[last - 1] == 0x0D { last -= 1 }
            if bytes[start..<last].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            return (start..<last, line)
        }
        return nil
    }
}
