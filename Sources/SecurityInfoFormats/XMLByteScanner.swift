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
        for byte in bytes {
            advancePosition(over: byte)
            switch state {
            case .content:
                if byte == UInt8(ascii: "<") {
                    state = .open
                    openPosition = (line, column)
                }
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
            case .tag:
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    quote = byte
                    state = .attributeValue
                } else if byte == UInt8(ascii: ">") {
                    state = .content
                }
            case .attributeValue:
                if byte == quote { state = .tag }
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

    /// Starts a construct whose end is told by its last bytes.
    private mutating func enter(_ next: State) {
        state = next
        justEntered = true
    }

    @inline(__always)
    private mutating func advancePosition(over byte: UInt8) {
        defer { offset += 1 }
        if byte == 0x0A {
            if !previousWasCarriageReturn { line += 1 }
            column = 0
            previousWasCarriageReturn = false
        } else if byte == 0x0D {
            line += 1
            column = 0
            previousWasCarriageReturn = true
        } else {
            previousWasCarriageReturn = false
            // A BOM's lead byte is no character; its other two bytes are continuation bytes, not counted anyway.
            let isByteOrderMark = offset == 0 && byte == 0xEF
            if byte & 0xC0 != 0x80 && !isByteOrderMark { column += 1 }
        }
    }

    private func declaration(path: String) -> InputError {
        InputError(
            file: path, line: openPosition.line, column: openPosition.column,
            "a DOCTYPE is not allowed (nor any <!…> declaration): secinfo's XML formats have none, no DTDs, no entities"
        )
    }
}
