/// A `$batch` POST's body (concepts/json-batching.md): at most 20 requests with unique ids, each `dependsOn` naming
/// earlier ones, and a write's body sent with its `Content-Type`.
struct BatchPayload {
    struct Item {
        let id: String
        let request: GraphRequest
        let dependsOn: [String]
    }

    static let maximumRequests = 20

    let items: [Item]

    /// Why a batch is refused whole: its 400 answer, and whether it was for holding too many requests.
    struct Refusal: Error {
        let answer: GraphAnswer
        var isOversize = false
    }

    init(_ body: [UInt8], version: APIVersion) throws(Refusal) {
        guard let root = try? JSONParser.parse(body).object, let requests = root["requests"]?.array else {
            throw Refusal(answer: .badRequest("Invalid batch payload format."))
        }
        guard requests.count <= Self.maximumRequests else {
            throw Refusal(
                answer: .badRequest("Limit of \(Self.maximumRequests) requests per batch exceeded."), isOversize: true)
        }
        var items: [Item] = []
        var seen: Set<String> = []
        for request in requests {
            guard let fields = request.object, let id = fields["id"]?.string, let method = fields["method"]?.string,
                let url = fields["url"]?.string
            else { throw Refusal(answer: .badRequest("Each request needs an id, a method and a url.")) }
            guard seen.insert(id.lowercased()).inserted else {
                throw Refusal(answer: .badRequest("Request id '\(id)' is used more than once; ids must be unique."))
            }
            let dependsOn = try Self.dependencies(of: fields, id: id, earlier: seen)
            let hasContentType = fields["headers"]?.object?.members.contains { $0.key.lowercased() == "content-type" }
            if ["POST", "PATCH", "PUT"].contains(method.uppercased()), fields["body"] == nil || hasContentType != true {
                throw Refusal(
                    answer: .badRequest("Write request id : \(id) does not contain Content-Type header or body."))
            }
            let graphRequest = GraphRequest(method: method, version: version, relativeURL: url, body: fields["body"])
            items.append(Item(id: id, request: graphRequest, dependsOn: dependsOn))
        }
        self.items = items
    }

    private static func dependencies(of fields: JSONObject, id: String, earlier: Set<String>) throws(Refusal)
        -> [String]
    {
        guard let value = fields["dependsOn"] else { return [] }
        guard let names = value.array?.compactMap(\.string), names.count == value.array?.count else {
            throw Refusal(answer: .badRequest("dependsOn of request '\(id)' must be an array of request ids."))
        }
        for name in names where name.lowercased() == id.lowercased() || !earlier.contains(name.lowercased()) {
            throw Refusal(answer: .badRequest("Request '\(id)' depends on '\(name)', which is not an earlier request."))
        }
        return names
    }
}
