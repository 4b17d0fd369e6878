import SecurityInfo

/// A small JSON document read strictly (RFC 8259: no trailing commas, comments or bare words), each value with the
/// line and column it starts at, and an object's key repeated refused. It reads the policy file: Foundation's
/// JSONDecoder accepts a trailing comma and a repeated key (the last wins, silently), names no line or column, and
/// calls a valid `2.5` where a count belongs "not valid JSON". A policy file is a few kilobytes: speed is no concern.
struct JSONValue {
    struct Position: Sendable, Hashable {
        var line: Int
        var column: Int
    }

    enum Kind {
        /// Members in the file's order.
        case object([(key: String, keyPosition: Position, value: JSONValue)])
        case array([JSONValue])
        case string(String)
        /// The number as written, checked against the grammar; what it may be is the reader's to say.
        case number(String)
        case bool(Bool)
        case null
    }

    var kind: Kind
    var position: Position

    /// What the value is, for messages: "an object", "the number 2.5", …
    var summary: String {
        switch kind {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number(let text): "the number \(text)"
        case .bool(let value): "\(value)"
        case .null: "null"
        }
    }
}
