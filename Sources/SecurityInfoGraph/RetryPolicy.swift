import Foundation

/// When to try a throttled or unavailable request again (GRAPH.md §3): after its `Retry-After`, else after an
/// exponential back-off with jitter, 1 s doubling to at most 60 s, at most 8 tries in all.
public struct RetryPolicy: Sendable {
    public var maximumTries = 8
    public var firstDelay: Duration = .seconds(1)
    public var maximumDelay: Duration = .seconds(60)

    public init() {}

    /// Statuses Graph answers when a request may be sent again as it is.
    public static func isRetryable(status: Int) -> Bool { status == 429 || status == 503 || status == 504 }

    /// The wait before try `attempt + 1` (attempts count from 1). Jitter keeps the workers a throttled tenant sent
    /// away from coming back all at once: a back-off is drawn between half and all of its step.
    public func delay(afterAttempt attempt: Int, retryAfter: String?) -> Duration {
        if let retryAfter, let seconds = Self.seconds(retryAfter) {
            return .milliseconds(Int64(min(seconds, 3600) * 1000))
        }
        let doublings = min(attempt - 1, 30)
        let step = min(firstDelay * (1 << doublings), maximumDelay)
        let fraction = Double.random(in: 0.5...1.0)
        return step * fraction
    }

    /// Of two `Retry-After` values, the one that waits longer: a batch whose requests were throttled goes again
    /// once the last of them may.
    static func longer(_ first: String?, _ second: String?) -> String? {
        guard let first else { return second }
        guard let second else { return first }
        return (seconds(first) ?? 0) >= (seconds(second) ?? 0) ? first : second
    }

    /// `Retry-After` as seconds: a count of seconds, or an HTTP date.
    static func seconds(_ value: String) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text).map { max(0, $0.timeIntervalSinceNow) }
    }
}
