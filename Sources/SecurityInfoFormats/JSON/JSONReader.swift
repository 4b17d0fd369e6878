import SecurityInfo

/// Reads JSON strictly (RFC 8259: no trailing commas, comments, bare words or leading zeros), refusing a key repeated
/// in one object and nesting deeper than `maximumDepth`, every error at its line and column. It reads the policy
/// file and the Graph export's lines: Foundation's JSONSerialization and JSONDecoder keep neither an object's order
/// nor a value's bytes (a Graph method is written back exactly as read), accept a trailing comma and a repeated
/// key (the last wins, silently), name no line or column, and call a valid `2.5` where a count belongs "not valid
/// JSON". No package of this machine's mirror reads JSON with its order and bytes kept.
public struct JSONReader {
    /// Deeper than any policy or Graph object; a hostile file cannot exhaust the stack.
    static let maximumDepth = 32

    private let bytes: [UInt8]
    private let path: String
    private let span: Range<Int>
    private let firstLine: Int
    private var index: Int
    private var tape = JSONTape()

    /// Reads the document in `bytes[span]` (all of them by default): one value, white space around it, nothing
    /// else. `firstLine` is the line `span` starts on, for errors.
    public static func read(_ bytes: [UInt8], span: Range<Int>? = nil, path: String, firstLine: Int = 1)
        throws(InputError) -> JSONDocument
    {
        let span = span ?? bytes.indices
        var tape = JSONTape()
        try read(bytes, span: span, path: path, firstLine: firstLine, into: &tape)
        return document(of: tape, bytes: bytes, span: span, path: path, firstLine: firstLine)
    }

    /// The same, into `tape` (emptied first, its room kept): the root is entry 0.
    public static func read(
        _ bytes: [UInt8], span: Range<Int>, path: String, firstLine: Int = 1, into tape: inout JSONTape
    ) throws(InputError) {
        guard span.count <= JSONTape.maximumBytes else {
            throw InputError(file: path, line: firstLine, column: 1, "a JSON document past 2 GiB")
        }
        var reader = JSONReader(bytes: bytes, path: path, span: span, firstLine: firstLine)
        swap(&reader.tape, &tape)
        defer { swap(&reader.tape, &tape) }
        reader.tape.entries.removeAll(keepingCapacity: true)
        try reader.checkUTF8()
        if bytes[span].starts(with: [0xEF, 0xBB, 0xBF]) { reader.index += 3 }
        reader.skipWhiteSpace()
        try reader.value(depth: 0)
        reader.skipWhiteSpace()
        if reader.index < span.upperBound {
            throw reader.error("unexpected \(reader.describeNext()) after the document")
        }
    }

    /// The document a tape `read(_:span:path:firstLine:into:)` filled holds, as a tree of values.
    public static func document(of tape: JSONTape, bytes: [UInt8], span: Range<Int>, path: String, firstLine: Int = 1)
        -> JSONDocument
    {
        func value(_ index: Int) -> JSONValue {
            let entry = tape.entries[index]
            let kind: JSONValue.Kind
            switch entry.kind {
            case .object:
                kind = .object(
                    tape.children(of: index).map { member in
                        let entry = tape.entries[member]
                        let key = bytes[entry.key]
                        return JSONMember(
                            key: entry.keyHasEscapes ? unescape(key) : String(decoding: key, as: UTF8.self),
                            keyOffset: entry.key.lowerBound - 1, value: value(member))
                    })
            case .array: kind = .array(tape.children(of: index).map(value))
            case .string: kind = .string(hasEscapes: false)
            case .escapedString: kind = .string(hasEscapes: true)
            case .number: kind = .number
            case .true: kind = .bool(true)
            case .false: kind = .bool(false)
            case .null: kind = .null
            }
            return JSONValue(kind: kind, range: entry.range)
        }
        return JSONDocument(bytes: bytes, span: span, firstLine: firstLine, path: path, root: value(0))
    }

    private init(bytes: [UInt8], path: String, span: Range<Int>, firstLine: Int) {
        self.bytes = bytes
        self.path = path
        self.span = span
        self.firstLine = firstLine
        index = span.lowerBound
    }

    // MARK: Values

    /// Reads a value into the tape, after the entries of the values it holds.
    /// - Parameters: `key`: where a member's key is (between its quotes), for a value that is one.
    private mutating func value(depth: Int, key: Range<Int>? = nil, keyHasEscapes: Bool = false) throws(InputError) {
        guard depth < Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
        let start = index
        guard let byte = next else { throw error("the document ends where a value was expected") }
        let slot = tape.entries.count
        tape.entries.append(
            JSONTape.Entry(
                kind: .null, range: start..<start, base: span.lowerBound, end: slot + 1, key: key,
                keyHasEscapes: keyHasEscapes))
        let kind: JSONTape.Entry.Kind
        switch byte {
        case UInt8(ascii: "{"):
            try members(of: slot, depth: depth)
            kind = .object
        case UInt8(ascii: "["):
            try elements(depth: depth)
            kind = .array
        case UInt8(ascii: "\""): kind = try string() ? .escapedString : .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try number()
            kind = .number
        case UInt8(ascii: "t"):
            try literal("true")
            kind = .true
        case UInt8(ascii: "f"):
            try literal("false")
            kind = .false
        case UInt8(ascii: "n"):
            try literal("null")
            kind = .null
        default:
            throw error("expected a value, found \(describeNext())")
        }
        tape.entries[slot].kind = kind
        tape.entries[slot].range = start..<index
        tape.entries[slot].end = tape.entries.count
    }

    /// Reads an object's members into the tape after its own entry, `object`.
    private mutating func members(of object: Int, depth: Int) throws(InputError) {
        index += 1
        var count = 0
        // Keys are looked for in the members while there are few; past that in a set, so a hostile object of many
        // keys costs time in proportion to them.
        var keys: Set<String> = []
        skipWhiteSpace()
        if next == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhiteSpace()
            guard next == UInt8(ascii: "\"") else { throw error("expected a key in quotes, found \(describeNext())") }
            let keyOffset = index
            let hasEscapes = try string()
            let key = (keyOffset + 1)..<(index - 1)
            if count == 16 {
                var member = object + 1
                while member < tape.entries.count {
                    keys.insert(keyText(tape.entries[member]))
                    member = tape.entries[member].end
                }
            }
            // Few members are all looked at; past 16, only when the set has met the key's text before.
            let mayBeRepeated = count < 16 || !keys.insert(keyText(key, hasEscapes)).inserted
            if mayBeRepeated, let first = firstMember(of: object, withKey: key, hasEscapes) {
                let earlier = position(of: tape.entries[first].key.lowerBound - 1)
                index = keyOffset
                let text = keyText(key, hasEscapes)
                throw error(
                    "the key '\(ContactMask.echoed(text))' is given twice in one object (first at line \(earlier.line), column \(earlier.column))"
                )
            }
            skipWhiteSpace()
            guard next == UInt8(ascii: ":") else { throw error("expected ':' after a key, found \(describeNext())") }
            index += 1
            skipWhiteSpace()
            try value(depth: depth + 1, key: key, keyHasEscapes: hasEscapes)
            count += 1
            skipWhiteSpace()
            switch next {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return
            default: throw error("expected ',' or '}' after a member, found \(describeNext())")
            }
            skipWhiteSpace()
            if next == UInt8(ascii: "}") { throw error("a ',' before '}': JSON allows no trailing comma") }
        }
    }

    /// The entry of the first member read so far of the object at `object` whose key is `key`. (A loop over the
    /// tape, not a sequence of closures: one holding the tape made each append copy it.)
    private func firstMember(of object: Int, withKey key: Range<Int>, _ hasEscapes: Bool) -> Int? {
        var member = object + 1
        while member < tape.entries.count {
            if isKey(key, hasEscapes, member) { return member }
            member = tape.entries[member].end
        }
        return nil
    }

    /// Whether a key is the key of the member at `entry`, as texts compare (so `\u0061` is `a`).
    private func isKey(_ key: Range<Int>, _ hasEscapes: Bool, _ entry: Int) -> Bool {
        let other = tape.entries[entry]
        if !hasEscapes && !other.keyHasEscapes {
            let same = bytes.withUnsafeBufferPointer {
                UnsafeBufferPointer(rebasing: $0[key]).elementsEqual(UnsafeBufferPointer(rebasing: $0[other.key]))
            }
            // Bytes that differ are different texts when both are ASCII; otherwise canonical equivalence decides.
            if same { return true }
            let isASCII = bytes.withUnsafeBufferPointer {
                UnsafeBufferPointer(rebasing: $0[key]).isASCII && UnsafeBufferPointer(rebasing: $0[other.key]).isASCII
            }
            if isASCII { return false }
        }
        return keyText(key, hasEscapes) == keyText(other)
    }

    private func keyText(_ entry: JSONTape.Entry) -> String { keyText(entry.key, entry.keyHasEscapes) }

    private func keyText(_ key: Range<Int>, _ hasEscapes: Bool) -> String {
        hasEscapes ? Self.unescape(bytes[key]) : String(decoding: bytes[key], as: UTF8.self)
    }

    private mutating func elements(depth: Int) throws(InputError) {
        index += 1
        skipWhiteSpace()
        if next == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhiteSpace()
            try value(depth: depth + 1)
            skipWhiteSpace()
            switch next {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return
            default: throw error("expected ',' or ']' after an element, found \(describeNext())")
            }
            skipWhiteSpace()
            if next == UInt8(ascii: "]") { throw error("a ',' before ']': JSON allows no trailing comma") }
        }
    }

    /// Moves past a string, checking its escapes; returns whether it has any.
    private mutating func string() throws(InputError) -> Bool {
        let start = index
        index += 1
        var hasEscapes = false
        while let stop = stringStop() {
            index = stop
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return hasEscapes
            }
            if byte < 0x20 { throw error("a control character in a string (write it as an escape)") }
            hasEscapes = true
            try checkEscape()
        }
        index = start
        throw error("a string that never ends")
    }

    /// The next quote, backslash or control byte from `index`, eight bytes at a time: most of a Graph line's bytes
    /// are in strings. (Most are short keys, so this gains less than the line's ASCII check a word at a time: in
    /// `perf` of a Graph apply the string scan went from 5.9 to 5.5 %, the check from 4.5 to 0.6 %.)
    private func stringStop() -> Int? {
        let (from, end) = (index, span.upperBound)
        let (quotes, backslashes) = (ByteWord.repeated(UInt8(ascii: "\"")), ByteWord.repeated(UInt8(ascii: "\\")))
        return bytes.withUnsafeBufferPointer { all in
            UnsafeBufferPointer(rebasing: all[..<end]).firstIndex(
                from: from,
                marking: {
                    ByteWord.equal($0, quotes) | ByteWord.equal($0, backslashes) | ByteWord.below($0, 0x20)
                },
                where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 })
        }
    }

    /// Moves past the escape at `index` (its backslash), checking it.
    private mutating func checkEscape() throws(InputError) {
        index += 1
        guard let byte = next else { throw error("the document ends inside an escape") }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 1
        case UInt8(ascii: "u"):
            index += 1
            guard index + 4 <= span.upperBound, Self.hexUnit(bytes[index..<index + 4]) != nil else {
                throw error("\\u needs four hexadecimal digits")
            }
            index += 4
        default:
            throw error("unknown escape \\\(describeNext())")
        }
    }

    /// A number by RFC 8259's grammar: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    private mutating func number() throws(InputError) {
        func digits(_ reader: inout JSONReader) -> Int {
            let from = reader.index
            while let byte = reader.next, (0x30...0x39).contains(byte) { reader.index += 1 }
            return reader.index - from
        }
        if next == UInt8(ascii: "-") { index += 1 }
        if next == UInt8(ascii: "0") {
            index += 1
            if let digit = next, (0x30...0x39).contains(digit) { throw error("a number may not start with 0") }
        } else if digits(&self) == 0 {
            throw error("expected a digit, found \(describeNext())")
        }
        if next == UInt8(ascii: ".") {
            index += 1
            if digits(&self) == 0 { throw error("expected a digit after '.', found \(describeNext())") }
        }
        if next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            index += 1
            if next == UInt8(ascii: "+") || next == UInt8(ascii: "-") { index += 1 }
            if digits(&self) == 0 { throw error("expected a digit in the exponent, found \(describeNext())") }
        }
    }

    private mutating func literal(_ word: StaticString) throws(InputError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= span.upperBound, (0..<count).allSatisfy({ bytes[index + $0] == word.utf8Start[$0] })
        else { throw error("expected a value, found \(describeNext())") }
        index += count
    }

    // MARK: Decoding strings

    /// The text of a string's bytes between its quotes, its escapes undone (checked when read); a lone half of a
    /// surrogate pair becomes U+FFFD.
    static func unescape(_ inner: ArraySlice<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        var index = inner.startIndex
        var run = index
        func flush(upTo end: Int) {
            scalars.append(contentsOf: String(decoding: inner[run..<end], as: UTF8.self).unicodeScalars)
        }
        while index < inner.endIndex {
            guard inner[index] == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            flush(upTo: index)
            let escape = inner[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                let unit = hexUnit(inner[index..<index + 4])!
                index += 4
                if (0xD800...0xDBFF).contains(unit), index + 6 <= inner.endIndex, inner[index] == UInt8(ascii: "\\"),
                    inner[index + 1] == UInt8(ascii: "u"), let low = hexUnit(inner[(index + 2)..<(index + 6)]),
                    (0xDC00...0xDFFF).contains(low),
                    let scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                {
                    scalars.append(scalar)
                    index += 6
                } else {
                    scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
                }
            default: scalars.append(Unicode.Scalar(escape))  // ", \ and /
            }
            run = index
        }
        flush(upTo: index)
        return String(scalars)
    }

    private static func hexUnit(_ digits: ArraySlice<UInt8>) -> UInt32? {
        var unit: UInt32 = 0
        for byte in digits {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            unit = unit << 4 | UInt32(digit)
        }
        return unit
    }

    // MARK: Positions

    private var next: UInt8? { index < span.upperBound ? bytes[index] : nil }

    private mutating func skipWhiteSpace() {
        while let byte = next, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private func checkUTF8() throws(InputError) {
        // ASCII, nearly every line, needs no more checking.
        guard !bytes.withUnsafeBufferPointer({ UnsafeBufferPointer(rebasing: $0[span]).isASCII }) else { return }
        var iterator = bytes[span].makeIterator()
        var decoder = UTF8()
        var offset = span.lowerBound
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return
            case .error: throw document.error(at: offset, "invalid UTF-8")
            }
        }
    }

    private var document: JSONDocument {
        JSONDocument(
            bytes: bytes, span: span, firstLine: firstLine, path: path, root: JSONValue(kind: .null, range: 0..<0))
    }

    private func position(of offset: Int) -> JSONDocument.Position { document.position(of: offset) }

    private func describeNext() -> String {
        guard let byte = next else { return "the end of the document" }
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return byte == 0x20 ? "a space" : "byte 0x\(String(byte, radix: 16))"
    }

    private func error(_ message: String) -> InputError { document.error(at: index, message) }
}
