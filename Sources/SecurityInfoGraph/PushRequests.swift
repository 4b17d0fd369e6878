import Foundation
public import SecurityInfoFormats

/// One request of a requests file (GRAPH.md §2), as `push` sends it.
public struct PushRequest: Sendable, Hashable {
    public var tenant: String
    public var id: String
    public var method: String
    /// After the version: `/users/{u}/authentication/…`.
    public var url: String
    /// The JSON body's bytes as the file holds them.
    public var body: [UInt8]?
    public var dependsOn: [String]
    /// `{u}` of the URL, percent-decoded: the user the request changes.
    public var user: String
    /// The change the request makes: its id without a `#2`, `#3` … suffix.
    public var change: String

    /// The key a ledger line names the request by.
    var key: RequestKey { RequestKey(tenant: tenant, id: id) }
}

/// A request's name across the whole file: its tenant and its id.
struct RequestKey: Hashable, Sendable {
    var tenant: String
    var id: String
}

/// One line of the requests file: a batch of one tenant and one version.
public struct PushBatch: Sendable {
    public var tenant: String
    public var version: String
    public var requests: [PushRequest]
    /// The line it was on, for messages.
    public var line: Int
}

/// Reads a requests file: every line checked before anything is sent (a line that is not a batch GRAPH.md §2
/// describes is an input error at its line and column, exit 2).
public enum PushRequestsFile {
    static let methods: Set<String> = ["GET", "POST", "PATCH", "DELETE"]

    public static func read(path: String) throws(InputError) -> [PushBatch] {
        let bytes = try FileByteSource(path: path).readAll()
        var batches: [PushBatch] = []
        var seen: Set<RequestKey> = []
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            defer { start = end + 1 }
            if bytes[start..<lineEnd].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let document = try JSONReader.read(bytes, span: start..<lineEnd, path: path, firstLine: lineNumber)
            batches.append(try batch(document, line: lineNumber, seen: &seen))
        }
        return batches
    }

    private static func batch(_ document: JSONDocument, line: Int, seen: inout Set<RequestKey>) throws(InputError)
        -> PushBatch
    {
        let root = document.root
        func fail(_ value: JSONValue?, _ message: String) -> InputError {
            document.error(at: (value ?? root).range.lowerBound, message)
        }
        guard let tenant = root["tenant"].flatMap(document.string), !tenant.isEmpty else {
            throw fail(root["tenant"], "a batch needs \"tenant\", a tenant's name")
        }
        guard let version = root["version"].flatMap(document.string), version == "v1.0" || version == "beta" else {
            throw fail(root["version"], "\"version\" must be \"v1.0\" or \"beta\"")
        }
        guard case .array(let items)? = root["batch"]?["requests"]?.kind, !items.isEmpty else {
            throw fail(root["batch"], "a batch needs \"batch\": {\"requests\": [...]} with one request or more")
        }
        guard items.count <= 20 else {
            throw fail(root["batch"], "a batch holds at most 20 requests (Graph's limit), this one \(items.count)")
        }
        var requests: [PushRequest] = []
        var ids: Set<String> = []
        for item in items {
            guard let id = item["id"].flatMap(document.string), !id.isEmpty else {
                throw fail(item, "a request needs an \"id\"")
            }
            guard let method = item["method"].flatMap(document.string), methods.contains(method) else {
                throw fail(item["method"] ?? item, "\(id): \"method\" must be one of GET, POST, PATCH, DELETE")
            }
            guard let url = item["url"].flatMap(document.string), url.hasPrefix("/users/") else {
                throw fail(item["url"] ?? item, "\(id): \"url\" must start /users/")
            }
            let segment = url.dropFirst("/users/".count).prefix { $0 != "/" && $0 != "?" }
            guard !segment.isEmpty, let user = String(segment).removingPercentEncoding else {
                throw fail(item["url"], "\(id): the URL names no user")
            }
            var dependsOn: [String] = []
            if let value = item["dependsOn"] {
                guard case .array(let list) = value.kind else {
                    throw fail(value, "\(id): \"dependsOn\" must be an array")
                }
                for dependency in list {
                    guard let name = document.string(dependency), ids.contains(name) else {
                        throw fail(dependency, "\(id): \"dependsOn\" must name an earlier request of the same batch")
                    }
                    dependsOn.append(name)
                }
            }
            let body = item["body"].map { Array(document.bytes[$0.range]) }
            guard ids.insert(id).inserted, seen.insert(RequestKey(tenant: tenant, id: id)).inserted else {
                throw fail(item["id"], "request id \(id) of tenant \(tenant) appears twice in the file")
            }
            // `ID#2`, `ID#3` …: the change's id is what comes before a final `#` and digits (a guest's UPN in an id
            // holds `#EXT#`, which is no suffix).
            var change = id
            if let hash = id.lastIndex(of: "#"), id[id.index(after: hash)...].allSatisfy(\.isNumber),
                id.index(after: hash) < id.endIndex
            {
                change = String(id[..<hash])
            }
            requests.append(
                PushRequest(
                    tenant: tenant, id: id, method: method, url: url, body: body, dependsOn: dependsOn, user: user,
                    change: change))
        }
        return PushBatch(tenant: tenant, version: version, requests: requests, line: line)
    }
}
