import Foundation

/// Graph's answer to one request, direct or inside a batch.
struct GraphAnswer: Sendable {
    var status: Int
    var body: JSONValue?
    /// `Retry-After` seconds, for a 429.
    var retryAfter: Int?

    var succeeded: Bool { (200..<300).contains(status) }

    static let noContent = GraphAnswer(status: 204)

    static func ok(_ object: JSONObject, status: Int = 200) -> GraphAnswer {
        GraphAnswer(status: status, body: .object(object))
    }

    /// Graph's error shape: `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
    static func error(_ status: Int, _ code: String, _ message: String, retryAfter: Int? = nil) -> GraphAnswer {
        let requestID = UUID().uuidString.lowercased()
        var date = Date().ISO8601Format()
        if date.hasSuffix("Z") { date.removeLast() }
        let innerError = JSONObject([
            ("date", .string(date)), ("request-id", .string(requestID)), ("client-request-id", .string(requestID)),
        ])
        let error = JSONObject([
            ("code", .string(code)), ("message", .string(message)), ("innerError", .object(innerError)),
        ])
        return GraphAnswer(
            status: status, body: .object(JSONObject([("error", .object(error))])), retryAfter: retryAfter)
    }

    static func badRequest(_ message: String) -> GraphAnswer { .error(400, "BadRequest", message) }

    static func segmentNotFound(_ segment: String) -> GraphAnswer {
        .badRequest("Resource not found for the segment '\(segment)'.")
    }

    static func userNotFound(_ key: String) -> GraphAnswer {
        .error(
            404, "Request_ResourceNotFound",
            "Resource '\(key)' does not exist or one of its queried reference-property objects are not present.")
    }

    static func methodNotFound(_ id: String) -> GraphAnswer {
        .error(404, "itemNotFound", "The authentication method '\(id)' was not found for this user.")
    }

    static let methodNotAllowed = GraphAnswer.error(
        405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")

    static func throttled(retryAfter: Int) -> GraphAnswer {
        .error(
            429, "TooManyRequests", "Too many requests. Retry after \(retryAfter) seconds.", retryAfter: retryAfter)
    }

    /// The answer as a direct HTTP response.
    var response: HTTPResponseMessage {
        var headers: [(name: String, value: String)] = []
        if let retryAfter { headers.append(("Retry-After", String(retryAfter))) }
        guard let body else { return HTTPResponseMessage(status: status, headers: headers) }
        return .json(status, body, headers: headers)
    }
}
