/// A streaming RFC 4180 reader working on bytes: a BOM, CRLF or LF, quoted commas, quotes and line breaks.
/// Fields are checked to be UTF-8 and to hold no control character but tab (and line breaks, quoted). Blank lines
/// are skipped. Errors name the file, line and column.
/// Measured here, the CSV packages of the mirror ran 15–19× slower than a byte-level split
/// (SWIFT-LINUX-NOTES.md), so this is written by hand.
public struct CSVReader {
    private let source: any ByteSource
    private var buffer: [UInt8]
    /// The most bytes one read asks for; the buffer holds at least 4, enough to look for a BOM.
    private let readSize: Int
    private var position = 0
    private var filled = 0
    private var isAtEnd = false
    private var line = 1
    private var column = 1
    private var isAtStart = true
    private var fieldStart = (line: 1, column: 1)
    /// The bits of the field's bytes, or-ed: below 0x80 when it is ASCII.
    private var fieldBits: UInt8 = 0

    /// No value of secinfo's formats comes near these; past them the input is not what it claims, and reading on
    /// would only grow memory (a gzip bomb of one endless field, say).
    static let maximumFieldBytes = 1 << 20
    static let maximumFields = 1024

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    public init(source: any ByteSource, chunkSize: Int = 1 << 16) {
        self.source = source
        readSize = Swift.max(chunkSize, 1)
        buffer = [UInt8](repeating: 0, count: Swift.max(chunkSize, 4))
    }

    /// Reads bytes already in memory (a chunk of a file), parsing them where they are, with no copy.
    /// - Parameters:
    ///   - offset: where to start, at the start of a row.
    ///   - firstLine: the line the byte at `offset` is on.
    init(bytes: [UInt8], startingAt offset: Int = 0, path: String, firstLine: Int) {
        source = MemoryByteSource(path: path, bytes: [])
        readSize = 1
        buffer = bytes
        filled = bytes.count
        position = offset
        isAtEnd = true
        line = firstLine
        isAtStart = false
    }

    /// Reading bytes in memory: where the last row read began, after any blank lines before it.
    private(set) var rowStart = 0

    /// Gives up the bytes read ahead and not yet parsed, with the line they start on, so that another reader (the
    /// one cutting a file into chunks after its header) can go on from here. The reader is spent afterwards.
    mutating func takeReadAhead() -> (bytes: [UInt8], line: Int) {
        let bytes = Array(buffer[position..<filled])
        position = filled
        return (bytes, line)
    }

    public var path: String { source.path }

    /// The next record, or `nil` at the end of the input.
    public mutating func next() throws(InputError) -> CSVRecord? {
        var row = CSVRow()
        guard try nextRow(into: &row) else { return nil }
        return CSVRecord(fields: (0..<row.count).map(row.string), lines: row.lines, columns: row.columns)
    }

    /// Reads the next record into `row`, reusing its storage; `false` at the end of the input.
    public mutating func nextRow(into row: inout CSVRow) throws(InputError) -> Bool {
        if isAtStart { try skipByteOrderMark() }
        // Blank lines between records carry nothing: skip them.
        while let byte = try peek(), byte == Self.lineFeed || byte == Self.carriageReturn { try consume() }
        guard try peek() != nil else { return false }
        rowStart = position

        row.removeAll()
        while true {
            guard row.count < Self.maximumFields else {
                throw InputError(
                    file: path, line: line, column: column, "more than \(Self.maximumFields) fields in a row")
            }
            row.lines.append(line)
            row.columns.append(column)
            fieldStart = (line, column)
            fieldBits = 0
            let endsRecord = try readField(into: &row.bytes)
            row.ends.append(row.bytes.count)
            // ASCII (nearly every field: no byte had its high bit) needs no more checking.
            let field = row.count - 1
            if fieldBits >= 0x80 && !row.withField(field, { String(validating: $0, as: UTF8.self) != nil }) {
                throw InputError(
                    file: path, line: row.lines[field], column: row.columns[field], "the field is not valid UTF-8")
            }
            if endsRecord { return true }
        }
    }

    /// Reads one field onto the end of `bytes`; returns whether it ended the record.
    private mutating func readField(into bytes: inout [UInt8]) throws(InputError) -> Bool {
        let start = bytes.count
        if try peek() == Self.quote {
            let (startLine, startColumn) = (line, column)
            try consume()
            while true {
                guard let byte = try peek() else {
                    throw InputError(
                        file: path, line: startLine, column: startColumn, "a quoted field is never closed")
                }
                if byte < 0x20 && byte != 0x09 && byte != Self.lineFeed && byte != Self.carriageReturn {
                    throw controlCharacter(byte)
                }
                try consume()
                if byte == Self.quote {
                    if try peek() == Self.quote {
                        try consume()
                        try append(Self.quote, to: &bytes, fieldStart: start)
                    } else {
                        break
                    }
                } else {
                    try append(byte, to: &bytes, fieldStart: start)
                }
            }
            switch try peek() {
            case nil: return true
            case Self.comma:
                try consume()
                return false
            case Self.lineFeed, Self.carriageReturn:
                try consumeLineBreak()
                return true
            default:
                throw InputError(
                    file: path, line: line, column: column, "expected a comma or a line break after a closing quote")
            }
        }
        // Unquoted: the bytes up to the next comma, line break or quote are taken from the buffer in one go.
        while true {
            if position == filled {
                try fill()
                if position == filled { return true }
            }
            let (runStart, filled) = (position, filled)
            var (end, characters, bits) = (runStart, 0, UInt8(0))
            buffer.withUnsafeBufferPointer { buffer in
                while end < filled {
                    let byte = buffer[end]
                    // Line breaks, and the control characters no value may hold, are all below 0x20.
                    if byte == Self.comma || byte == Self.quote || (byte < 0x20 && byte != 0x09) { break }
                    if byte & 0xC0 != 0x80 { characters += 1 }
                    bits |= byte
                    end += 1
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<end]))
            }
            position = end
            column += characters
            fieldBits |= bits
            guard bytes.count - start <= Self.maximumFieldBytes else {
                throw InputError(
                    file: path, line: fieldStart.line, column: fieldStart.column,
                    "a field longer than \(Self.maximumFieldBytes) bytes: not a secinfo file")
            }
            guard position < filled else { continue }
            switch buffer[position] {
            case Self.comma:
                try consume()
                return false
            case Self.quote:
                throw InputError(
                    file: path, line: line, column: column,
                    "a quote inside an unquoted field (quote the whole field and double the quote)")
            case Self.lineFeed, Self.carriageReturn:
                try consumeLineBreak()
                return true
            case let byte:
                throw controlCharacter(byte)
            }
        }
    }

    /// A control character other than tab, CR and LF: no value holds one, and XML 1.0 cannot carry it, so a file
    /// read here would fail only later, when written as XML.
    private func controlCharacter(_ byte: UInt8) -> InputError {
        let code = String(byte, radix: 16, uppercase: true)
        return InputError(
            file: path, line: line, column: column,
            "a control character (U+\(String(repeating: "0", count: 4 - code.count) + code)) in a field: not allowed in a value"
        )
    }

    @inline(__always)
    private mutating func append(_ byte: UInt8, to bytes: inout [UInt8], fieldStart start: Int) throws(InputError) {
        guard bytes.count - start < Self.maximumFieldBytes else {
            throw InputError(
                file: path, line: fieldStart.line, column: fieldStart.column,
                "a field longer than \(Self.maximumFieldBytes) bytes: not a secinfo file")
        }
        bytes.append(byte)
        fieldBits |= byte
    }

    private mutating func consumeLineBreak() throws(InputError) {
        if try peek() == Self.carriageReturn {
            try consume()
            if try peek() == Self.lineFeed { try consume() }
        } else {
            try consume()
        }
    }

    private mutating func skipByteOrderMark() throws(InputError) {
        isAtStart = false
        // A source may return fewer bytes than asked (a pipe, a decompressor): read until three are here.
        while filled - position < 3 && !isAtEnd { try fill() }
        if filled - position >= 3 && buffer[position] == 0xEF && buffer[position + 1] == 0xBB
            && buffer[position + 2] == 0xBF
        {
            position += 3
        }
    }

    @inline(__always)
    private mutating func peek() throws(InputError) -> UInt8? {
        if position == filled {
            try fill()
            if position == filled { return nil }
        }
        return buffer[position]
    }

    /// Moves past the byte `peek()` returned, keeping the line and column.
    @inline(__always)
    private mutating func consume() throws(InputError) {
        let byte = buffer[position]
        position += 1
        if byte == Self.lineFeed {
            line += 1
            column = 1
        } else if byte == Self.carriageReturn {
            // A CR alone ends a line; in CRLF the LF does.
            if try peek() != Self.lineFeed {
                line += 1
                column = 1
            }
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }

    private mutating func fill() throws(InputError) {
        guard !isAtEnd else { return }
        if position == filled {
            position = 0
            filled = 0
        }
        let (capacity, start, source) = (Swift.min(buffer.count, filled + readSize), filled, source)
        let result = buffer.withUnsafeMutableBytes { (bytes) -> Result<Int, InputError> in
            do throws(InputError) {
                return .success(try source.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[start..<capacity])))
            } catch { return .failure(error) }
        }
        guard case .success(let count) = result else {
            // A stream error (truncated or corrupt gzip, a size limit) is placed where the text had got to.
            guard case .failure(var error) = result else { return }
            if error.line == nil {
                error.line = line
                error.column = column
            }
            throw error
        }
        if count == 0 { isAtEnd = true }
        filled += count
    }
}
