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

    /// Reads the document in `bytes[span]` (all of them by default): one value, white space around it, nothing
    /// else. `firstLine` is the line `span` starts on, for errors.
    public static func read(_ bytes: [UInt8], span: Range<Int>? = nil, path: String, firstLine: Int = 1)
        throws(InputError) -> JSONDocument
    {
        let span = span ?? bytes.indices
        var reader = JSONReader(bytes: bytes, path: path, span: span, firstLine: firstLine)
        try reader.checkUTF8()
        if bytes[span].starts(with: [0xEF, 0xBB, 0xBF]) { reader.index += 3 }
        reader.skipWhiteSpace()
        let root = try reader.value(depth: 0)
        reader.skipWhiteSpace()
        if reader.index < span.upperBound {
            throw reader.error("unexpected \(reader.describeNext()) after the document")
        }
        return JSONDocument(bytes: bytes, span: span, firstLine: firstLine, path: path, root: root)
    }

    private init(bytes: [UInt8], path: String, span: Range<Int>, firstLine: Int) {
        self.bytes = bytes
        self.path = path
        self.span = span
        self.firstLine = firstLine
        index = span.lowerBound
    }

    // MARK: Values

    private mutating func value(depth: Int) throws(InputError) -> JSONValue {
        guard depth < Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
        let start = index
        guard let byte = next else { throw error("the document ends where a value was expected") }
        let kind: JSONValue.Kind
        switch byte {
        case UInt8(ascii: "{"): kind = .object(try members(depth: depth))
        case UInt8(ascii: "["): kind = .array(try elements(depth: depth))
        case UInt8(ascii: "\""): kind = .string(hasEscapes: try string())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try number()
            kind = .number
        case UInt8(ascii: "t"):
            try literal("true")
            kind = .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            kind = .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            kind = .null
        default:
            throw error("expected a value, found \(describeNext())")
        }
        return JSONValue(kind: kind, range: start..<index)
    }

    private mutating func members(depth: Int) throws(InputError) -> [JSONMember] {
        index += 1
        var members: [JSONMember] = []
        // Keys are looked for in the members while there are few; past that in a set, so a hostile object of many
        // keys costs time in proportion to them.
        var keys: Set<String> = []
        skipWhiteSpace()
        if next == UInt8(ascii: "}") {
            index += 1
            return members
        }
        while true {
            skipWhiteSpace()
            guard next == UInt8(ascii: "\"") else { throw error("expected a key in quotes, found \(describeNext())") }
            let keyOffset = index
            let hasEscapes = try string()
            let keyBytes = bytes[(keyOffset + 1)..<(index - 1)]
            let key = hasEscapes ? Self.unescape(keyBytes) : String(decoding: keyBytes, as: UTF8.self)
            if members.count == 16 { keys = Set(members.map(\.key)) }
            let isRepeated = members.count < 16 ? members.contains { $0.key == key } : !keys.insert(key).inserted
            if isRepeated, let first = members.first(where: { $0.key == key }) {
                let earlier = position(of: first.keyOffset)
                index = keyOffset
                throw error(
                    "the key '\(ContactMask.echoed(key))' is given twice in one object (first at line \(earlier.line), column \(earlier.column))"
                )
            }
            skipWhiteSpace()
            guard next == UInt8(ascii: ":") else { throw error("expected ':' after a key, found \(describeNext())") }
            index += 1
            skipWhiteSpace()
            members.append(JSONMember(key: key, keyOffset: keyOffset, value: try value(depth: depth + 1)))
            skipWhiteSpace()
            switch next {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return members
            default: throw error("expected ',' or '}' after a member, found \(describeNext())")
            }
            skipWhiteSpace()
            if next == UInt8(ascii: "}") { throw error("a ',' before '}': JSON allows no trailing comma") }
        }
    }

    private mutating func elements(depth: Int) throws(InputError) -> [JSONValue] {
        index += 1
        var elements: [JSONValue] = []
        skipWhiteSpace()
        if next == UInt8(ascii: "]") {
            index += 1
            return elements
        }
        while true {
            skipWhiteSpace()
            elements.append(try value(depth: depth + 1))
            skipWhiteSpace()
            switch next {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return elements
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
