/// Why a tenant could not be pulled or pushed: it could not be reached, or it would not give a token, or it
/// refused what every request of it needs. The tenant's work stops; the other tenants go on (exit 69).
public struct TenantUnavailable: Error, Sendable, CustomStringConvertible {
    public let tenant: String
    public let reason: GraphFailure.Reason

    public var description: String { "tenant \(tenant): \(reason)" }
}

public enum GraphFailure {
    public enum Reason: Error, Sendable, CustomStringConvertible {
        /// The credential cannot be had: an unset environment variable, an unreadable certificate.
        case credential(String)
        /// The token endpoint or Graph could not be reached, or kept failing past the retries.
        case unreachable(String)
        /// The token endpoint refused the app: its error and the first line of its description.
        case refused(String)
        /// Graph answered a request every later one depends on with an error.
        case graph(status: Int, code: String, message: String)

        public var description: String {
            switch self {
            case .credential(let message), .unreachable(let message), .refused(let message): message
            case .graph(let status, let code, let message): "Graph answered \(status) \(code): \(message)"
            }
        }
    }
}
