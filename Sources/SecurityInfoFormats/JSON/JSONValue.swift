/// A value of a JSON document (`JSONDocument`): what it is, and where its bytes are. Strings and numbers are kept
/// as their bytes and decoded when asked (`JSONDocument.string(_:)`), and objects keep their members in the file's
/// order, so that a value can be written back exactly as read.
public struct JSONValue: Sendable {
    public enum Kind: Sendable {
        /// Members in the file's order.
        case object([JSONMember])
        case array([JSONValue])
        /// Whether the string holds an escape (else its bytes between the quotes are its text).
        case string(hasEscapes: Bool)
        /// Checked against the grammar; what it may be is the reader's to say.
        case number
        case bool(Bool)
        case null
    }

    public var kind: Kind
    /// The value's bytes in its document: a string's with its quotes.
    public var range: Range<Int>

    /// The member named `key` of an object; `nil` for another key or value.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = kind else { return nil }
        return members.first { $0.key == key }?.value
    }

    public var isNull: Bool {
        if case .null = kind { return true }
        return false
    }
}

/// One member of a JSON object: its key, decoded, where the key starts, and its value.
public struct JSONMember: Sendable {
    public var key: String
    public var keyOffset: Int
    public var value: JSONValue
}

/// A JSON document read by `JSONReader`: its bytes, its root, and the means to turn a value's bytes into text and
/// a byte's offset into a line and column.
public struct JSONDocument: Sendable {
    public struct Position: Sendable, Hashable {
        public var line: Int
        public var column: Int
    }

    /// The bytes the document lies in (it may be one line of them).
    public let bytes: [UInt8]
    /// The document's own bytes within `bytes`.
    public let span: Range<Int>
    /// The line the document starts on.
    let firstLine: Int
    let path: String
    public var root: JSONValue

    /// The line and column of a byte: lines count LF, CR and CRLF; columns count characters from 1.
    public func position(of offset: Int) -> Position {
        var line = firstLine
        var lineStart = span.lowerBound
        var index = span.lowerBound
        while index < offset {
            let byte = bytes[index]
            if byte == 0x0A || (byte == 0x0D && (index + 1 >= bytes.count || bytes[index + 1] != 0x0A)) {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        let column = bytes[lineStart..<offset].count { $0 & 0xC0 != 0x80 } + 1
        return Position(line: line, column: column)
    }

    /// An error at a byte of the document.
    public func error(at offset: Int, _ message: String) -> InputError {
        let position = position(of: offset)
        return InputError(file: path, line: position.line, column: position.column, message)
    }

    /// A string value's text, its escapes undone; `nil` for any other value.
    public func string(_ value: JSONValue) -> String? {
        guard case .string(let hasEscapes) = value.kind else { return nil }
        let inner = (value.range.lowerBound + 1)..<(value.range.upperBound - 1)
        guard hasEscapes else {
            return bytes.withUnsafeBufferPointer {
                String(decoding: UnsafeBufferPointer(rebasing: $0[inner]), as: UTF8.self)
            }
        }
        return JSONReader.unescape(bytes[inner])
    }

    /// The value's bytes as written (a number's digits, a string with its quotes).
    public func text(_ value: JSONValue) -> String {
        bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[value.range]), as: UTF8.self)
        }
    }

    /// What a value is, for messages: "an object", "the number 2.5", …
    public func summary(_ value: JSONValue) -> String {
        switch value.kind {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "the number \(text(value))"
        case .bool(let flag): "\(flag)"
        case .null: "null"
        }
    }
}
