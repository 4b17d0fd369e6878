import NIOHTTP1

/// A whole HTTP request, its body aggregated.
struct HTTPRequestMessage: Sendable {
    var method: HTTPMethod
    var uri: String
    var headers: HTTPHeaders
    var body: [UInt8]
}

/// A whole HTTP response; the server adds `Content-Length` and `Connection`.
struct HTTPResponseMessage: Sendable {
    var status: Int
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []

    static func json(_ status: Int, _ value: JSONValue, headers: [(name: String, value: String)] = []) -> Self {
        HTTPResponseMessage(
            status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers,
            body: value.encoded)
    }
}

/// What the server does with a request: answer it (after a delay, for a slow tenant) or close the connection
/// unanswered (an injected dropped connection).
enum ExchangeOutcome: Sendable {
    case respond(HTTPResponseMessage, afterSeconds: Double)
    case dropConnection
}
