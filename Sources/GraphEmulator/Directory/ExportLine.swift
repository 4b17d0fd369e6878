import Crypto

/// A GRAPH.md §1 export line that cannot seed a user: its number (from 1) and why.
public struct ExportLineError: Error, Sendable, CustomStringConvertible {
    public let line: Int
    public let reason: String

    public var description: String { "export line \(line): \(reason)" }
}

/// Reading and writing GRAPH.md §1 lines: one user each, `tenant` naming the directory.
enum ExportLine {
    /// The tenant name and user of one line.
    static func user(from text: ArraySlice<UInt8>, line: Int) throws(ExportLineError) -> (String, DirectoryUser) {
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(text)
        } catch {
            throw ExportLineError(line: line, reason: error.description)
        }
        guard let root = parsed.object else { throw ExportLineError(line: line, reason: "not a JSON object") }
        guard let tenant = root["tenant"]?.string, !tenant.isEmpty else {
            throw ExportLineError(line: line, reason: "no \"tenant\"")
        }
        guard let name = root["userPrincipalName"]?.string, !name.isEmpty else {
            throw ExportLineError(line: line, reason: "no \"userPrincipalName\"")
        }
        var methods: [AuthenticationMethod] = []
        for item in root["methods"]?.array ?? [] {
            guard let object = item.object else {
                throw ExportLineError(line: line, reason: "a method is not an object")
            }
            methods.append(AuthenticationMethod(object: object))
        }
        let user = DirectoryUser(
            id: root["id"]?.string ?? derivedID(tenant: tenant, userPrincipalName: name),
            userPrincipalName: name,
            isAdmin: root["isAdmin"]?.bool ?? false,
            signInPreferences: root["signInPreferences"]?.object ?? DirectoryUser.defaultSignInPreferences,
            methods: methods)
        return (tenant, user)
    }

    /// An object id for a line without one: a name-based UUID, so the same export seeds the same ids.
    private static func derivedID(tenant: String, userPrincipalName: String) -> String {
        let digest = Array(SHA256.hash(data: Array("\(tenant)/\(userPrincipalName.lowercased())".utf8)))
        let hex = digest.prefix(16).map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    /// The user's line as the emulator holds them; a hardware token keeps its `device`.
    static func text(tenant: String, user: DirectoryUser) -> String {
        let line = JSONObject([
            ("tenant", .string(tenant)),
            ("id", .string(user.id)),
            ("userPrincipalName", .string(user.userPrincipalName)),
            ("isAdmin", .bool(user.isAdmin)),
            ("signInPreferences", .object(user.signInPreferences)),
            ("methods", .array(user.methods.map { .object($0.object) })),
        ])
        return String(decoding: JSONValue.object(line).encoded, as: UTF8.self)
    }
}
