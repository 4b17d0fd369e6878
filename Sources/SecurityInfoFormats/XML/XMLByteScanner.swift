/// Watches an XML byte stream on its way to libxml2, for two things the parser does not give well:
/// - any `<!…>` declaration (a DOCTYPE, an ENTITY) outside comments and CDATA is refused with its line and column
///   before the parser sees it, so no DTD, internal subset or entity ever reaches libxml2 (XXE, entity bombs);
/// - where each element's start tag begins: libxml2 stamps a node with the line its start tag ends on, past line
///   65535 borrows a neighbour's, and gives no column. Elements come out of the reader in document order, so the
///   places queue.
/// - a tag with more than `maximumAttributes` attributes, or longer than `maximumTagBytes`, is refused at its `<`
///   before the parser sees it: libxml2's time grows with the square of an element's attributes (100,000 took 96 s).
/// Lines and columns count as the CSV reader's do: characters, a BOM not among them, CR, LF and CRLF each one break.
struct XMLByteScanner {
    /// secinfo's elements have at most 8 attributes (a change); room for namespace declarations and the like.
    static let maximumAttributes = 32
    /// As a CSV field's limit: no upn, id or value comes near it.
    static let maximumTagBytes = 1 << 20

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
    private var pendingStarts: [(line: Int, column: Int, offset: Int)] = []
    private var pendingHead = 0
    /// Whether an element's start tag has been seen: libxml2 calls a document without one "Extra content".
    private(set) var sawElement = false
    /// The tag being scanned: where its `<` is in the stream, and the attribute values begun in it.
    private var tagStart = 0
    private var attributesInTag = 0
    /// The document's first bytes until its XML declaration's end, while it may have one.
    private var declarationHead: [UInt8]? = []

    /// - Parameters: the position before the first byte: its line, and the characters before it on that line.
    init(line: Int = 1, column: Int = 0) {
        self.line = line
        self.column = column
        openPosition = (line, column + 1)
    }

    /// Where the next element start tag not yet taken begins (its `<`: line, column, and offset in the stream), in
    /// document order.
    mutating func nextElementStart() -> (line: Int, column: Int, offset: Int)? {
        guard pendingHead < pendingStarts.count else { return nil }
        defer {
            pendingHead += 1
            if pendingHead > 4096 {
                pendingStarts.removeFirst(pendingHead)
                pendingHead = 0
            }
        }
        return pendingStarts[pendingHead]
    }

    mutating func scan(_ bytes: UnsafeRawBufferPointer, path: String) throws(InputError) {
        var index = 0
        // A BOM's lead byte is no character (its other two bytes are continuation bytes, not counted anyway).
        if offset == 0, bytes.first == 0xEF { index = 1 }
        if let head = declarationHead {
            // libxml2 asks for the first 4 bytes alone: the declaration is gathered until its `>`.
            declarationHead = head + bytes
            if declarationHead!.contains(UInt8(ascii: ">")) || declarationHead!.count >= 1 << 10 {
                defer { declarationHead = nil }
                let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
                let start = declarationHead!.starts(with: bom) ? bom.count : 0
                if let error = declarationHead!.withUnsafeBytes({ declaredEncodingError($0[start...], path: path) }) {
                    throw error
                }
            }
        }
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
                    endRun(at: bytes[stop], offset: offset + stop)
                    if state == .attributeValue && attributesInTag > Self.maximumAttributes {
                        throw tagError(
                            "an element with more than \(Self.maximumAttributes) attributes: secinfo's XML elements have at most 8",
                            path: path)
                    }
                } else {
                    index = bytes.count
                }
                if (state == .tag || state == .attributeValue) && offset + index - tagStart > Self.maximumTagBytes {
                    throw tagError(
                        "a tag longer than \(Self.maximumTagBytes >> 20) MiB: no upn, id or value is that long",
                        path: path)
                }
                continue
            case .open:
                switch byte {
                case UInt8(ascii: "?"): enter(.processingInstruction)
                case UInt8(ascii: "!"): state = .bang
                case UInt8(ascii: "/"): state = .tag
                default:
                    pendingStarts.append((openPosition.line, openPosition.column, tagStart))
                    sawElement = true
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
    private mutating func endRun(at byte: UInt8, offset: Int) {
        switch state {
        case .content:
            state = .open
            openPosition = (line, column)
            (tagStart, attributesInTag) = (offset, 0)
        case .tag where byte == UInt8(ascii: ">"):
            state = .content
        case .tag:
            quote = byte
            state = .attributeValue
            attributesInTag += 1
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

    /// secinfo reads XML as UTF-8 (SPEC.md), and libxml2 is told to ignore a declared encoding: a declaration of
    /// another is refused rather than read as UTF-8 regardless. (US-ASCII is UTF-8's subset.)
    private func declaredEncodingError(_ bytes: Slice<UnsafeRawBufferPointer>, path: String) -> InputError? {
        guard bytes.starts(with: "<?xml".utf8) else { return nil }
        let declaration = bytes.prefix { $0 != UInt8(ascii: ">") }
        let name = Array("encoding".utf8)
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard
            let nameStart = declaration.indices.first(where: {
                declaration[$0...].starts(with: name)
            })
        else { return nil }
        var rest = declaration[(nameStart + name.count)...].drop(while: isSpace)
        guard rest.first == UInt8(ascii: "=") else { return nil }
        rest = rest.dropFirst().drop(while: isSpace)
        guard let quote = rest.first, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { return nil }
        let value = String(decoding: rest.dropFirst().prefix { $0 != quote }, as: UTF8.self)
        guard !["utf-8", "utf8", "us-ascii", "ascii"].contains(value.lowercased()) else { return nil }
        // Where the value starts (the declaration's characters before it are ASCII).
        let before = bytes[...rest.startIndex]
        let breaks = before.indices.filter {
            before[$0] == 0x0A ? $0 == before.startIndex || before[$0 - 1] != 0x0D : before[$0] == 0x0D
        }
        return InputError(
            file: path, line: 1 + breaks.count, column: rest.startIndex + 1 - (breaks.last ?? (bytes.startIndex - 1)),
            "the XML declares encoding '\(value)': secinfo reads XML in UTF-8 only")
    }

    private func tagError(_ message: String, path: String) -> InputError {
        InputError(file: path, line: openPosition.line, column: openPosition.column, message)
    }

    private func declaration(path: String) -> InputError {
        InputError(
            file: path, line: openPosition.line, column: openPosition.column,
            "a DOCTYPE is not allowed (nor any <!…> declaration): secinfo's XML formats have none, no DTDs, no entities"
        )
    }
}
