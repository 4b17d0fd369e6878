import Foundation

/// A token request the identity platform refuses, answered as Entra does: `error`, an `error_description` that
/// starts with the AADSTS code, and `error_codes`.
struct AuthorityRefusal: Error, Sendable {
    let status: Int
    let error: String
    let code: Int
    let message: String

    var response: HTTPResponseMessage {
        let traceID = UUID().uuidString.lowercased()
        let correlationID = UUID().uuidString.lowercased()
        let timestamp = Date().ISO8601Format()
        let description =
            "AADSTS\(code): \(message) Trace ID: \(traceID) Correlation ID: \(correlationID) Timestamp: \(timestamp)"
        return .json(
            status,
            .object(
                JSONObject([
                    ("error", .string(error)),
                    ("error_description", .string(description)),
                    ("error_codes", .array([.number(String(code))])),
                    ("timestamp", .string(timestamp)),
                    ("trace_id", .string(traceID)),
                    ("correlation_id", .string(correlationID)),
                    ("error_uri", .string("https://login.microsoftonline.com/error?code=\(code)")),
                ])))
    }

    static func invalidClient(_ code: Int, _ message: String) -> Self {
        AuthorityRefusal(status: 401, error: "invalid_client", code: code, message: message)
    }

    static func invalidRequest(_ code: Int, _ message: String) -> Self {
        AuthorityRefusal(status: 400, error: "invalid_request", code: code, message: message)
    }

    static func missing(_ parameter: String) -> Self {
        .invalidRequest(900144, "The request body must contain the following parameter: '\(parameter)'.")
    }

    static func badSecret(clientID: String) -> Self {
        .invalidClient(
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "
                + "not the client secret ID, for a secret added to app '\(clientID)'.")
    }
}
