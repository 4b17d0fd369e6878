import SecurityInfo

/// Reads a `JSONValue` from bytes; every error names the file, line and column.
struct JSONReader {
    /// Deeper than any policy; a hostile file cannot exhaust the stack.
    static let maximumDepth = 32

    private let bytes: [UInt8]
    private let path: String
    private var index = 0
    private var line = 1
    private var lineStart = 0

    /// Reads the whole document: one value, white space around it, nothing else.
    static func read(_ bytes: [UInt8], path: String) throws(InputError) -> JSONValue {
        var reader = JSONReader(bytes: bytes, path: path)
        if let invalid = reader.firstInvalidUTF8() {
            reader.move(to: invalid)
            throw reader.error("invalid UTF-8")
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.index = 3 }
        reader.skipWhiteSpace()
        let value = try reader.value(depth: 0)
        reader.skipWhiteSpace()
        if reader.index < bytes.count { throw reader.error("unexpected \(reader.describeNext()) after the document") }
        return value
    }

    private init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    // MARK: Values

    private mutating func value(depth: Int) throws(InputError) -> JSONValue {
        guard depth < Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
        let position = self.position
        guard index < bytes.count else { throw error("the document ends where a value was expected") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return JSONValue(kind: .object(try members(depth: depth)), position: position)
        case UInt8(ascii: "["): return JSONValue(kind: .array(try elements(depth: depth)), position: position)
        case UInt8(ascii: "\""): return JSONValue(kind: .string(try string()), position: position)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONValue(kind: .number(try number()), position: position)
        case UInt8(ascii: "t"):
            try literal("true")
            return JSONValue(kind: .bool(true), position: position)
        case UInt8(ascii: "f"):
            try literal("false")
            return JSONValue(kind: .bool(false), position: position)
        case UInt8(ascii: "n"):
            try literal("null")
            return JSONValue(kind: .null, position: position)
        default:
            throw error("expected a value, found \(describeNext())")
        }
    }

    private mutating func members(depth: Int) throws(InputError)
        -> [(key: String, keyPosition: JSONValue.Position, value: JSONValue)]
    {
        index += 1
        var members: [(key: String, keyPosition: JSONValue.Position, value: JSONValue)] = []
        var seen: [String: JSONValue.Position] = [:]
        skipWhiteSpace()
        if next == UInt8(ascii: "}") {
            index += 1
            return members
        }
        while true {
            skipWhiteSpace()
            guard next == UInt8(ascii: "\"") else { throw error("expected a key in quotes, found \(describeNext())") }
            let keyPosition = position
            let key = try string()
            if let first = seen[key] {
                move(to: keyPosition)
                throw error(
                    "the key '\(ContactMask.echoed(key))' is given twice in one object (first at line \(first.line), column \(first.column))"
                )
            }
            seen[key] = keyPosition
            skipWhiteSpace()
            guard next == UInt8(ascii: ":") else { throw error("expected ':' after a key, found \(describeNext())") }
            index += 1
            skipWhiteSpace()
            members.append((key, keyPosition, try value(depth: depth + 1)))
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

    private mutating func string() throws(InputError) -> String {
        let start = position
        index += 1
        var scalars = String.UnicodeScalarView()
        var run = index
        func flush(_ reader: JSONReader, upTo end: Int) {
            scalars.append(contentsOf: String(decoding: reader.bytes[run..<end], as: UTF8.self).unicodeScalars)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                flush(self, upTo: index)
                index += 1
                return String(scalars)
            }
            if byte < 0x20 { throw error("a control character in a string (write it as an escape)") }
            if byte == UInt8(ascii: "\\") {
                flush(self, upTo: index)
                scalars.append(try escape())
                run = index
                continue
            }
            index += 1
        }
        move(to: start)
        throw error("a string that never ends")
    }

    /// The escape at `index` (its backslash), decoded; surrogate pairs joined.
    private mutating func escape() throws(InputError) -> Unicode.Scalar {
        index += 1
        guard index < bytes.count else { throw error("the document ends inside an escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try hexUnit()
            if (0xD800...0xDBFF).contains(unit), next == UInt8(ascii: "\\"), index + 1 < bytes.count,
                bytes[index + 1] == UInt8(ascii: "u")
            {
                index += 2
                let low = try hexUnit()
                if (0xDC00...0xDFFF).contains(low),
                    let scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                {
                    return scalar
                }
            }
            guard let scalar = Unicode.Scalar(unit) else { throw error("\\u\(hex(unit)) is half of a surrogate pair") }
            return scalar
        default:
            index -= 1
            throw error("unknown escape \\\(describeNext())")
        }
    }

    private mutating func hexUnit() throws(InputError) -> UInt32 {
        guard index + 4 <= bytes.count,
            let unit = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
        else { throw error("\\u needs four hexadecimal digits") }
        index += 4
        return unit
    }

    private func hex(_ unit: UInt32) -> String {
        let digits = String(unit, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// A number by RFC 8259's grammar: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    private mutating func number() throws(InputError) -> String {
        let start = index
        func digits(_ reader: inout JSONReader) -> Int {
            let from = reader.index
            while reader.index < reader.bytes.count, (0x30...0x39).contains(reader.bytes[reader.index]) {
                reader.index += 1
            }
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
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func literal(_ word: String) throws(InputError) {
        guard bytes[index...].starts(with: word.utf8) else {
            throw error("expected a value, found \(describeNext())")
        }
        index += word.utf8.count
    }

    // MARK: Positions

    private var next: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Lines count LF, CR and CRLF; columns count characters, as every other error of secinfo's.
    private var position: JSONValue.Position {
        let characters = bytes[lineStart..<index].count { $0 & 0xC0 != 0x80 }
        return JSONValue.Position(line: line, column: characters + 1)
    }

    private mutating func skipWhiteSpace() {
        while let byte = next {
            switch byte {
            case 0x20, 0x09: index += 1
            case 0x0A:
                index += 1
                (line, lineStart) = (line + 1, index)
            case 0x0D:
                index += 1
                if next == 0x0A { index += 1 }
                (line, lineStart) = (line + 1, index)
            default: return
            }
        }
    }

    /// Places the reader at an earlier position, for an error that names where something began.
    private mutating func move(to position: JSONValue.Position) {
        // Strings hold no line break (a control character): the position is on the current line.
        index = lineStart
        var column = 1
        while column < position.column && index < bytes.count {
            index += 1
            while index < bytes.count && bytes[index] & 0xC0 == 0x80 { index += 1 }
            column += 1
        }
    }

    /// Moves to the byte offset `offset`, counting lines on the way (only from the document's start).
    private mutating func move(to offset: Int) {
        while index < offset {
            if bytes[index] == 0x0A || (bytes[index] == 0x0D && (index + 1 >= bytes.count || bytes[index + 1] != 0x0A))
            {
                (line, lineStart) = (line + 1, index + 1)
            }
            index += 1
        }
    }

    private func firstInvalidUTF8() -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                offset += UTF8.width(scalar)
            case .emptyInput:
                return nil
            case .error:
                return offset
            }
        }
    }

    private func describeNext() -> String {
        guard let byte = next else { return "the end of the document" }
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return byte == 0x20 ? "a space" : "byte 0x\(String(byte, radix: 16))"
    }

    private func error(_ message: String) -> InputError {
        let position = self.position
        return InputError(file: path, line: position.line, column: position.column, message)
    }
}
