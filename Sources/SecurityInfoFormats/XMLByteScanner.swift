/// Watches an XML byte stream on its way to libxml2, for two things the parser does not give well:
/// - any `<!…>` declaration (a DOCTYPE, an ENTITY) outside comments and CDATA is refused with its line and column
///   before the parser sees it, so no DTD, internal subset or entity ever reaches libxml2 (XXE, entity bombs);
/// - the line each element's start tag begins on: libxml2 stamps a node with the line its start tag ends on, and
///   past line 65535 borrows a neighbour's. Elements come out of the reader in document order, so the lines queue.
/// Lines and columns count as the CSV reader's do: characters, a BOM not among them, CR, LF and CRLF each one break.
struct XMLByteScanner {
    private enum State: UInt8 {
        case content, open, bang, bangDash, comment, cdata, processingInstruction, tag, attributeValue
    }

    private var state = State.content
    private var quote: UInt8 = 0
    private var line = 1
    private var column = 0
    private var previousWasCarriageReturn = false
    private var previous: UInt8 = 0
    private var beforePrevious: UInt8 = 0
    private var openPosition = (line: 1, column: 1)
    private var offset = 0
    private var pendingLines: [Int] = []
    private var pendingHead = 0

    /// - Parameters: the position before the first byte: its line, and the characters before it on that line.
    init(line: Int = 1, column: Int = 0) {
        self.line = line
        self.column = column
        openPosition = (line, column + 1)
    }

    /// The line of the next element start tag not yet taken, in document order.
    mutating func nextElementLine() -> Int? {
        guard pendingHead < pendingLines.count else { return nil }
        defer {
            pendingHead += 1
            if pendingHead > 4096 {
                pendingLines.removeFirst(pendingHead)
                pendingHead = 0
            }
        }
        return pendingLines[pendingHead]
    }

    mutating func scan(_ bytes: UnsafeRawBufferPointer, path: String) throws(InputError) {
        var index = 0
        // A BOM's lead byte is no character (its other two bytes are continuation bytes, not counted anyway).
        if offset == 0, bytes.first == 0xEF { index = 1 }
        defer { offset += bytes.count }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            advancePosition(over: byte)
            switch state {
            case .content, .tag, .attributeValue:
                // Most bytes: text between tags, names and attribute values. Their ends are single bytes, and
                // no end of a comment, CDATA section or processing instruction looks back into them.
                if let stop = scanRun(bytes, from: index - 1) {
                    index = stop + 1
                    endRun(at: bytes[stop])
                } else {
                    index = bytes.count
                }
                continue
            case .open:
                switch byte {
                case UInt8(ascii: "?"): enter(.processingInstruction)
                case UInt8(ascii: "!"): state = .bang
                case UInt8(ascii: "/"): state = .tag
                default:
                    pendingLines.append(openPosition.line)
                    state = .tag
                }
            case .bang:
                switch byte {
                case UInt8(ascii: "-"): state = .bangDash
                case UInt8(ascii: "["): enter(.cdata)
                default: throw declaration(path: path)
                }
            case .bangDash:
                guard byte == UInt8(ascii: "-") else { throw declaration(path: path) }
                enter(.comment)
            case .comment:
                if byte == UInt8(ascii: ">") && previous == UInt8(ascii: "-") && beforePrevious == UInt8(ascii: "-") {
                    state = .content
                }
            case .cdata:
                if byte == UInt8(ascii: ">") && previous == UInt8(ascii: "]") && beforePrevious == UInt8(ascii: "]") {
                    state = .content
                }
            case .processingInstruction:
                if byte == UInt8(ascii: ">") && previous == UInt8(ascii: "?") { state = .content }
            }
            if justEntered {
                // The bytes that opened a construct do not count toward its end (`<!-->` is no whole comment).
                (beforePrevious, previous, justEntered) = (0, 0, false)
            } else {
                (beforePrevious, previous) = (previous, byte)
            }
        }
    }

    private var justEntered = false

    /// In `.content`, `.tag` or `.attributeValue`: moves over the bytes from `start` (the first already counted)
    /// up to the one that ends the run, counting lines and columns; returns that byte's index, counted, or `nil`
    /// when the bytes end first.
    private mutating func scanRun(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        // One tight loop per state: the bytes that end it.
        let (first, second, third): (UInt8, UInt8, UInt8)
        switch state {
        case .content: (first, second, third) = (UInt8(ascii: "<"), UInt8(ascii: "<"), UInt8(ascii: "<"))
        case .tag: (first, second, third) = (UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ">"))
        default: (first, second, third) = (quote, quote, quote)
        }
        var index = start
        while true {
            let byte = bytes[index]
            if byte == first || byte == second || byte == third { return index }
            index += 1
            guard index < bytes.count else { return nil }
            advancePosition(over: bytes[index])
        }
    }

    /// The state after the byte that ended a run of `.content`, `.tag` or `.attributeValue`.
    private mutating func endRun(at byte: UInt8) {
        switch state {
        case .content:
            state = .open
            openPosition = (line, column)
        case .tag where byte == UInt8(ascii: ">"):
            state = .content
        case .tag:
            quote = byte
            state = .attributeValue
        default:
            state = .tag
        }
    }

    /// Starts a construct whose end is told by its last bytes.
    private mutating func enter(_ next: State) {
        state = next
        justEntered = true
    }

    @inline(__always)
    private mutating func advancePosition(over byte: UInt8) {
        if byte > 0x0D {
            previousWasCarriageReturn = false
            if byte & 0xC0 != 0x80 { column += 1 }
        } else if byte == 0x0A {
            if !previousWasCarriageReturn { line += 1 }
            column = 0
            previousWasCarriageReturn = false
        } else if byte == 0x0D {
            line += 1
            column = 0
            previousWasCarriageReturn = true
        } else {
            previousWasCarriageReturn = false
            column += 1
        }
    }

    private func declaration(path: String) -> InputError {
        InputError(
            file: path, line: openPosition.line, column: openPosition.column,
            "a DOCTYPE is not allowed (nor any <!…> declaration): secinfo's XML formats have none, no DTDs, no entities"
        )
    }
}
