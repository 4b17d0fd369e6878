import SecurityInfo

/// A user as a line of a Graph export holds it (GRAPH.md §1): the user, and the line's bytes with where its parts
/// are, so that what no change touches is written back exactly as read: the line whole when the user is unchanged,
/// else every member and method object no change touched.
public struct GraphUserLine: Sendable {
    /// One member of the line's object: its key, and where its key (with quotes) and value are in `bytes`.
    struct Member: Sendable {
        var key: String
        var keyRange: Range<Int>
        var valueRange: Range<Int>
    }

    /// One object of `methods`: its bytes, and which of the user's methods it is (`nil`: one outside the nine).
    struct Method: Sendable {
        var range: Range<Int>
        var instance: Int?
        /// Where the value secinfo holds is, for an edit: `phoneNumber` or `emailAddress`.
        var valueRange: Range<Int>?
    }

    /// The bytes the line lies in (a chunk's, shared), and the line within them.
    let bytes: [UInt8]
    let span: Range<Int>
    let members: [Member]
    let methods: [Method]
    /// `signInPreferences` when it is an object: its members, to change the default in it.
    let preferences: [Member]?
    /// The user as the line holds it: what an unchanged user is told by.
    let user: User
    let tenant: String
    /// The user's object id, when the export has it: requests name the user by it.
    public let objectID: String?
    /// The `@odata.type` (after `#microsoft.graph.`) of each method outside the nine, for the control totals.
    public let otherTypes: [String]

    /// Reads one line (`bytes[span]`, without its line break) as a user of a Graph export.
    static func read(_ bytes: [UInt8], span: Range<Int>, line: Int, path: String) throws(InputError) -> ExportRecord {
        try read(JSONReader.read(bytes, span: span, path: path, firstLine: line), line: line)
    }

    /// Reads one line already parsed as JSON.
    static func read(_ document: JSONDocument, line: Int) throws(InputError) -> ExportRecord {
        let (bytes, span) = (document.bytes, document.span)
        guard case .object(let top) = document.root.kind else {
            throw document.error(
                at: document.root.range.lowerBound, "a line of a Graph export is one user's JSON object")
        }
        let reader = LineReader(document: document, top: top)
        let tenant = try reader.requiredString("tenant")
        guard TenantID.isValid(tenant) else {
            throw reader.error(
                at: "tenant",
                "'\(ContactMask.echoed(tenant: tenant))' is not 1–64 of A-Z a-z 0-9 . _ - starting with a letter or digit"
            )
        }
        let name = try reader.requiredString("userPrincipalName")
        guard !name.trimmingWhitespace.isEmpty else { throw reader.error(at: "userPrincipalName", "the user is empty") }
        var user = User(name: name)
        user.isAdmin = try reader.optionalBool("isAdmin") ?? false
        let objectID = try reader.optionalString("id")
        var preferences: [Member]?
        if let value = reader.value("signInPreferences"), !value.isNull {
            guard case .object(let members) = value.kind else {
                throw reader.error(at: "signInPreferences", "expected an object, found \(document.summary(value))")
            }
            preferences = members.map(reader.member)
            user.defaultMethod = try reader.defaultMethod(in: value)
        }
        var methods: [Method] = []
        var otherTypes: [String] = []
        if let list = reader.value("methods"), !list.isNull {
            guard case .array(let objects) = list.kind else {
                throw reader.error(at: "methods", "expected an array of methods, found \(document.summary(list))")
            }
            for object in objects {
                let method = try reader.method(object)
                if let instance = method.instance {
                    methods.append(
                        Method(range: object.range, instance: user.methods.count, valueRange: method.valueRange))
                    user.methods.append(instance)
                } else {
                    methods.append(Method(range: object.range, instance: nil, valueRange: nil))
                    otherTypes.append(method.type)
                    if GraphMethodType.otherMFATypes.contains(method.type) { user.otherMFAMethodCount += 1 }
                }
            }
        }
        if let count = try reader.optionalCount("securityQuestions"), count > 0 {
            user.methods.append(MethodInstance(kind: .securityQuestions, value: String(count)))
        }
        var record = ExportRecord(tenant: tenant, user: user, line: line, rowCount: 1)
        record.graph = GraphUserLine(
            bytes: bytes, span: span, members: top.map(reader.member), methods: methods, preferences: preferences,
            user: user, tenant: tenant, objectID: objectID, otherTypes: otherTypes)
        return record
    }

    /// The checks and lookups of one line's fields, each error at its place.
    private struct LineReader {
        let document: JSONDocument
        let top: [JSONMember]

        func value(_ key: String) -> JSONValue? { top.first { $0.key == key }?.value }

        func member(_ member: JSONMember) -> Member {
            Member(
                key: member.key, keyRange: member.keyOffset..<(member.keyOffset + keyLength(at: member.keyOffset)),
                valueRange: member.value.range)
        }

        /// The bytes of the key (a string with its quotes) starting at `offset`.
        private func keyLength(at offset: Int) -> Int {
            var index = offset + 1
            while document.bytes[index] != UInt8(ascii: "\"") {
                index += document.bytes[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            return index + 1 - offset
        }

        func error(at key: String, _ message: String) -> InputError {
            let offset = top.first { $0.key == key }.map { $0.value.range.lowerBound } ?? document.span.lowerBound
            return document.error(at: offset, "\(key): \(message)")
        }

        func requiredString(_ key: String) throws(InputError) -> String {
            guard let value = value(key) else {
                throw document.error(at: document.span.lowerBound, "the user's \(key) is missing")
            }
            guard let text = document.string(value) else {
                throw error(at: key, "expected a string, found \(document.summary(value))")
            }
            return text
        }

        func optionalString(_ key: String) throws(InputError) -> String? {
            guard let value = value(key), !value.isNull else { return nil }
            guard let text = document.string(value) else {
                throw error(at: key, "expected a string, found \(document.summary(value))")
            }
            return text
        }

        func optionalBool(_ key: String) throws(InputError) -> Bool? {
            guard let value = value(key), !value.isNull else { return nil }
            guard case .bool(let flag) = value.kind else {
                throw error(at: key, "expected true or false, found \(document.summary(value))")
            }
            return flag
        }

        /// A count: a whole number from 0.
        func optionalCount(_ key: String) throws(InputError) -> Int? {
            guard let value = value(key), !value.isNull else { return nil }
            guard case .number = value.kind, let count = Int(document.text(value)), count >= 0 else {
                throw error(at: key, "expected a count (a whole number from 0), found \(document.summary(value))")
            }
            return count
        }

        /// The default in `signInPreferences`: `none`, `null`, `""` or absent mean none.
        func defaultMethod(in preferences: JSONValue) throws(InputError) -> DefaultMethod {
            guard let value = preferences[GraphMethodType.preferredMethodKey], !value.isNull else { return .none }
            guard let token = document.string(value) else {
                throw document.error(
                    at: value.range.lowerBound,
                    "\(GraphMethodType.preferredMethodKey): expected a string, found \(document.summary(value))")
            }
            if token.isEmpty { return .none }
            guard let method = DefaultMethod(rawValue: token) else {
                throw document.error(
                    at: value.range.lowerBound,
                    "\(GraphMethodType.preferredMethodKey) '\(ContactMask.echoed(token))' is not one of \(DefaultMethod.allCases.map(\.rawValue).joined(separator: " "))"
                )
            }
            return method
        }

        /// One method object: one of the nine (with the value its kind holds), or another kept as it is.
        func method(_ object: JSONValue) throws(InputError)
            -> (instance: MethodInstance?, type: String, valueRange: Range<Int>?)
        {
            let at = object.range.lowerBound
            guard case .object = object.kind else {
                throw document.error(at: at, "methods: expected a method object, found \(document.summary(object))")
            }
            guard let typeValue = object["@odata.type"], let odataType = document.string(typeValue) else {
                throw document.error(at: at, "a method without its @odata.type")
            }
            let type =
                odataType.hasPrefix(GraphMethodType.prefix)
                ? String(odataType.dropFirst(GraphMethodType.prefix.count)) : odataType
            func field(_ key: String, required: Bool = true) throws(InputError) -> (text: String, range: Range<Int>?) {
                guard let value = object[key], !value.isNull else {
                    if required { throw document.error(at: at, "a \(type) without its \(key)") }
                    return ("", nil)
                }
                guard let text = document.string(value) else {
                    throw document.error(
                        at: value.range.lowerBound, "\(key): expected a string, found \(document.summary(value))")
                }
                return (text, value.range)
            }
            if type == GraphMethodType.phone {
                let phoneType = try field("phoneType").text
                guard let kind = GraphMethodType.phoneTypes.first(where: { $0.value == phoneType })?.key else {
                    throw document.error(
                        at: object["phoneType"]!.range.lowerBound,
                        "phoneType '\(ContactMask.echoed(phoneType))' is not mobile, alternateMobile or office")
                }
                let number = try field("phoneNumber")
                return (MethodInstance(kind: kind, value: number.text), type, number.range)
            }
            guard let kind = GraphMethodType.kindsByType[type] else { return (nil, type, nil) }
            switch kind {
            case .email:
                let address = try field("emailAddress")
                return (MethodInstance(kind: .email, value: address.text), type, address.range)
            case .hardwareOath:
                let id = try field("id").text
                guard let device = object["device"], case .object = device.kind,
                    let serial = device["serialNumber"], let text = document.string(serial)
                else { throw document.error(at: at, "a \(type) without its device.serialNumber") }
                return (MethodInstance(kind: .hardwareOath, id: id, value: text), type, nil)
            default:
                // The authenticator app and the security key by their names; a software token has none in Graph
                // (a name converted from CSV or XML is kept as displayName).
                let id = try field("id").text
                let name = try field("displayName", required: false).text
                return (MethodInstance(kind: kind, id: id, value: name), type, nil)
            }
        }
    }
}

extension ExportRecord {
    /// What writing this user in `format` leaves out, a phrase each (`convert` tallies and reports them): a Graph
    /// line's methods outside the nine, object id and other fields in CSV or XML; a CSV or XML user's method ids
    /// that Graph fixes for phones and email.
    public func notCarried(in format: FileFormat) -> [String] {
        var lost: [String] = []
        if let line = graph, format != .jsonl {
            lost += line.otherTypes.map { "methods outside the nine: \($0)" }
            if line.objectID != nil { lost.append("users' object ids") }
            let known: Set = [
                "tenant", "id", "userPrincipalName", "isAdmin", "securityQuestions", "signInPreferences",
                "methods",
            ]
            lost += line.members.filter { !known.contains($0.key) }.map { "users' other fields: \($0.key)" }
            lost += (line.preferences ?? []).filter { $0.key != GraphMethodType.preferredMethodKey }.map {
                "signInPreferences' other fields: \($0.key)"
            }
        } else if graph == nil && format == .jsonl {
            lost += user.methods.filter { GraphMethodType.fixedIDs[$0.kind] != nil && !$0.id.isEmpty }.map {
                "method ids of phones and email (Graph fixes them): \($0.kind.rawValue)"
            }
        }
        return lost
    }
}
