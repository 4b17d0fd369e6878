import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SecurityInfoFormats

/// Each tenant's access token from the OAuth 2.0 client-credentials grant (GRAPH.md §4), reused until shortly
/// before it expires. Callers asking at once share one token request. The secret is read from the environment
/// when the request is made and is never kept, logged or put in an error.
actor TokenSource {
    private struct Token {
        var value: String
        var renewAt: ContinuousClock.Instant
    }

    private let http: HTTPClient
    private let endpoints: GraphEndpoints
    private var tokens: [String: Token] = [:]
    private var pending: [String: Task<Token, any Error>] = [:]

    init(http: HTTPClient, endpoints: GraphEndpoints) {
        self.http = http
        self.endpoints = endpoints
    }

    /// The tenant's token; a new one when the last is near its end or `renew` says Graph refused it.
    func token(for tenant: GraphTenant, renew: Bool = false) async throws(TenantUnavailable) -> String {
        if !renew, let token = tokens[tenant.name], ContinuousClock.now < token.renewAt { return token.value }
        if renew { tokens[tenant.name] = nil }
        let task: Task<Token, any Error>
        if let running = pending[tenant.name] {
            task = running
        } else {
            let (http, endpoints) = (self.http, self.endpoints)
            task = Task { try await Self.request(tenant, http: http, endpoints: endpoints) }
            pending[tenant.name] = task
        }
        do {
            let token = try await task.value
            pending[tenant.name] = nil
            tokens[tenant.name] = token
            return token.value
        } catch {
            pending[tenant.name] = nil
            if let failure = error as? TenantUnavailable { throw failure }
            throw TenantUnavailable(tenant: tenant.name, reason: .unreachable(String(describing: error)))
        }
    }

    private static func request(_ tenant: GraphTenant, http: HTTPClient, endpoints: GraphEndpoints) async throws
        -> Token
    {
        let tokenURL = "\(endpoints.authority)/\(tenant.tenantID)/oauth2/v2.0/token"
        var form = [
            ("grant_type", "client_credentials"), ("client_id", tenant.clientID), ("scope", endpoints.scope),
        ]
        do {
            switch tenant.credential {
            case .secretEnvironment(let variable):
                guard let secret = ProcessInfo.processInfo.environment[variable], !secret.isEmpty else {
                    throw GraphFailure.Reason.credential(
                        "the environment variable \(variable) (clientSecretEnv) is not set")
                }
                form.append(("client_secret", secret))
            case .certificate(let path):
                let assertion = try ClientAssertion(pemFile: path).make(clientID: tenant.clientID, audience: tokenURL)
                form.append(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"))
                form.append(("client_assertion", assertion))
            }
        } catch let reason as GraphFailure.Reason {
            throw TenantUnavailable(tenant: tenant.name, reason: reason)
        }
        var request = HTTPClientRequest(url: tokenURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(
            ByteBuffer(string: form.map { "\($0)=\(FormEncoding.encode($1))" }.joined(separator: "&")))
        let policy = RetryPolicy()
        var attempt = 1
        while true {
            let started = ContinuousClock.now
            switch await GraphClient.send(request, http: http) {
            case .answered(let response) where response.status == 200:
                return try token(from: response.body, tenant: tenant, started: started)
            case .answered(let response) where RetryPolicy.isRetryable(status: response.status) && attempt < 3:
                try await Task.sleep(for: policy.delay(afterAttempt: attempt, retryAfter: response.retryAfter))
            case .answered(let response):
                throw TenantUnavailable(tenant: tenant.name, reason: .refused(refusal(response)))
            case .lost where attempt < 3:
                try await Task.sleep(for: policy.delay(afterAttempt: attempt, retryAfter: nil))
            case .lost(let reason):
                throw TenantUnavailable(
                    tenant: tenant.name, reason: .unreachable("the token endpoint could not be reached: \(reason)"))
            }
            attempt += 1
        }
    }

    private static func token(from body: [UInt8], tenant: GraphTenant, started: ContinuousClock.Instant) throws
        -> Token
    {
        let document = try JSONReader.read(body, path: "the token response")
        guard let value = document.root["access_token"].flatMap(document.string), !value.isEmpty else {
            throw TenantUnavailable(tenant: tenant.name, reason: .refused("the token response holds no access_token"))
        }
        let lifetime = document.root["expires_in"].flatMap { Int(document.text($0)) } ?? 3599
        // Renew five minutes before the end, or at nine tenths of a short lifetime.
        let margin = min(300, lifetime / 10)
        return Token(value: value, renewAt: started + .seconds(max(0, lifetime - margin)))
    }

    /// The token endpoint's refusal as the identity platform writes it: `error`, and the first line of
    /// `error_description` (an `AADSTS` code and its text; the identity platform never echoes a secret).
    private static func refusal(_ response: GraphResponse) -> String {
        guard let document = try? JSONReader.read(response.body, path: "the token response") else {
            return "the token endpoint answered \(response.status)"
        }
        let error = document.root["error"].flatMap(document.string) ?? "\(response.status)"
        let description =
            document.root["error_description"].flatMap(document.string)?
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return "the token endpoint refused the app (\(response.status) \(error)): \(description)"
    }
}

/// `application/x-www-form-urlencoded` values: everything but RFC 3986's unreserved characters percent-encoded.
enum FormEncoding {
    static func encode(_ value: String) -> String {
        var encoded = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += String(format: "%%%02X", byte)
            }
        }
        return encoded
    }
}
