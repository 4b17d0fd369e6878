/// A JSON value as the emulator holds it: objects keep their members' order, numbers their literal text, so what
/// was seeded comes back as it was written.
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The number's literal text, never reformatted.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var object: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}

/// A JSON object with its members in order. One parsed from text remembers that text until a member changes, and is
/// written back as exactly those bytes: Graph's objects the emulator does not understand round-trip byte for byte.
struct JSONObject: Sendable {
    private(set) var members: [(key: String, value: JSONValue)]
    /// The bytes the object was read from, while it is unchanged.
    private(set) var source: ArraySlice<UInt8>?

    init(_ members: [(key: String, value: JSONValue)] = []) {
        self.members = members
        source = nil
    }

    init(members: [(key: String, value: JSONValue)], source: ArraySlice<UInt8>) {
        self.members = members
        self.source = source
    }

    /// The first member of that name; setting replaces it in place, or appends it; setting nil removes it.
    subscript(key: String) -> JSONValue? {
        get { members.first { $0.key == key }?.value }
        set {
            source = nil
            let index = members.firstIndex { $0.key == key }
            switch (index, newValue) {
            case (let index?, let value?): members[index].value = value
            case (let index?, nil): members.remove(at: index)
            case (nil, let value?): members.append((key, value))
            case (nil, nil): break
            }
        }
    }

    /// The same object without the named members.
    func removing(_ keys: Set<String>) -> JSONObject {
        guard members.contains(where: { keys.contains($0.key) }) else { return self }
        return JSONObject(members.filter { !keys.contains($0.key) })
    }
}
