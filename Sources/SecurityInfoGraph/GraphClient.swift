public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A response as secinfo needs it: the status, `Retry-After`, and the body's bytes.
public struct GraphResponse: Sendable {
    public var status: Int
    public var retryAfter: String?
    public var body: [UInt8]
}

/// What became of one HTTP exchange: an answer, or none (the connection failed or was lost, so a request that
/// changes something may or may not have been made).
enum Exchange: Sendable {
    case answered(GraphResponse)
    case lost(String)
}

/// The HTTP side of pull and push: one `HTTPClient` (its connection pool reused by every request), the tokens
/// of each tenant, and the retries of GRAPH.md §3. Requests go to `{graph}/{version}/…` with the tenant's bearer
/// token; a token Graph calls expired is fetched anew once.
public final class GraphClient: Sendable {
    public let endpoints: GraphEndpoints
    public let retry: RetryPolicy
    let http: HTTPClient
    let tokens: TokenSource
    /// Called with each retry's wait, for progress and tests; never with a secret.
    let onRetry: @Sendable (_ tenant: String, _ reason: String) -> Void

    public init(
        endpoints: GraphEndpoints, retry: RetryPolicy = RetryPolicy(), connectionsPerHost: Int = 8,
        onRetry: @escaping @Sendable (_ tenant: String, _ reason: String) -> Void = { _, _ in }
    ) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(120))
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.http = http
        self.endpoints = endpoints
        self.retry = retry
        self.onRetry = onRetry
        tokens = TokenSource(http: http, endpoints: endpoints)
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    /// Makes sure the tenant gives a token, before anything is recorded as sent to it.
    func authenticate(_ tenant: GraphTenant) async throws(TenantUnavailable) {
        _ = try await tokens.token(for: tenant)
    }

    /// A `GET` of `url` (absolute, or a path under the graph URL), retried while throttled, unavailable or not
    /// answered: reading changes nothing, so a lost one is sent again.
    func get(_ url: String, tenant: GraphTenant) async throws(TenantUnavailable) -> GraphResponse {
        var attempt = 1
        while true {
            switch try await exchange(method: .GET, url: url, body: nil, tenant: tenant) {
            case .answered(let response) where RetryPolicy.isRetryable(status: response.status):
                guard attempt < retry.maximumTries else {
                    throw TenantUnavailable(
                        tenant: tenant.name,
                        reason: .unreachable("Graph still answered \(response.status) after \(attempt) tries"))
                }
                try await pause(tenant, attempt: attempt, retryAfter: response.retryAfter, "\(response.status)")
            case .answered(let response):
                return response
            case .lost(let reason):
                guard attempt < retry.maximumTries else {
                    throw TenantUnavailable(tenant: tenant.name, reason: .unreachable(reason))
                }
                try await pause(tenant, attempt: attempt, retryAfter: nil, reason)
            }
            attempt += 1
        }
    }

    /// A `$batch` POST, retried only while the batch as a whole is throttled or unavailable (then Graph ran none
    /// of it). A batch not answered is returned as lost: some of its requests may have been made.
    func postBatch(_ body: [UInt8], version: String, tenant: GraphTenant) async throws(TenantUnavailable) -> Exchange {
        var attempt = 1
        while true {
            let outcome = try await exchange(method: .POST, url: "/\(version)/$batch", body: body, tenant: tenant)
            guard case .answered(let response) = outcome, RetryPolicy.isRetryable(status: response.status),
                attempt < retry.maximumTries
            else { return outcome }
            try await pause(tenant, attempt: attempt, retryAfter: response.retryAfter, "batch \(response.status)")
            attempt += 1
        }
    }

    private func pause(_ tenant: GraphTenant, attempt: Int, retryAfter: String?, _ reason: String)
        async throws(TenantUnavailable)
    {
        let wait = retry.delay(afterAttempt: attempt, retryAfter: retryAfter)
        onRetry(tenant.name, reason)
        do { try await Task.sleep(for: wait) } catch {
            throw TenantUnavailable(tenant: tenant.name, reason: .unreachable("cancelled"))
        }
    }

    /// One exchange with the tenant's token; when Graph says the token is not (or no longer) good, once more with
    /// a new one.
    private func exchange(method: HTTPMethod, url: String, body: [UInt8]?, tenant: GraphTenant)
        async throws(TenantUnavailable) -> Exchange
    {
        let absolute = url.hasPrefix("/") ? endpoints.graph + url : url
        for refresh in [false, true] {
            let token = try await tokens.token(for: tenant, renew: refresh)
            var request = HTTPClientRequest(url: absolute)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Accept", value: "application/json")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            let outcome = await Self.send(request, http: http)
            if case .answered(let response) = outcome, response.status == 401, !refresh { continue }
            return outcome
        }
        return .lost("unreachable")
    }

    /// Sends and reads the whole answer (at most 64 MiB: a Graph page or batch is far smaller).
    static func send(_ request: HTTPClientRequest, http: HTTPClient) async -> Exchange {
        do {
            let response = try await http.execute(request, timeout: .seconds(120))
            let body = try await response.body.collect(upTo: 64 << 20)
            return .answered(
                GraphResponse(
                    status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                    body: Array(body.readableBytesView)))
        } catch {
            return .lost(String(describing: error))
        }
    }
}
