import Foundation

/// The identity platform's part: registered tenants, the client-credentials grant, and the tokens it issued.
struct Authority: Sendable {
    /// A bearer token and what it grants: one tenant's Graph until it expires.
    struct IssuedToken: Sendable {
        let tenantName: String
        let expires: ContinuousClock.Instant
    }

    /// Why a bearer is refused.
    enum BearerRefusal: Error {
        case missing
        case unknown
        case expired
    }

    static let graphScope = "https://graph.microsoft.com/.default"
    static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    private(set) var tenants: [String: EmulatedTenant] = [:]
    private var nameByTenantID: [String: String] = [:]
    private var tokens: [String: IssuedToken] = [:]

    mutating func add(_ tenant: EmulatedTenant) {
        if let previous = tenants[tenant.name] { nameByTenantID[previous.tenantID.lowercased()] = nil }
        tenants[tenant.name] = tenant
        nameByTenantID[tenant.tenantID.lowercased()] = tenant.name
    }

    /// Answers `POST /{tenantID}/oauth2/v2.0/token`.
    mutating func token(
        tenantID: String, request: HTTPRequestMessage, context: TokenRequestContext
    ) -> HTTPResponseMessage {
        do throws(AuthorityRefusal) {
            let tenant = try grantingTenant(tenantID: tenantID, form: FormBody(request.body), context: context)
            var random = SystemRandomNumberGenerator()
            let value = Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &random) })
            let lifetime = context.tokenLifetimeSeconds
            tokens[value] = IssuedToken(tenantName: tenant.name, expires: context.now + .seconds(lifetime))
            return .json(
                200,
                .object(
                    JSONObject([
                        ("token_type", .string("Bearer")),
                        ("expires_in", .number(String(lifetime))),
                        ("ext_expires_in", .number(String(lifetime))),
                        ("access_token", .string(value)),
                    ])))
        } catch {
            return error.response
        }
    }

    private func grantingTenant(
        tenantID: String, form: FormBody, context: TokenRequestContext
    ) throws(AuthorityRefusal) -> EmulatedTenant {
        guard let name = nameByTenantID[tenantID.lowercased()], let tenant = tenants[name] else {
            throw .invalidRequest(
                90002,
                "Tenant '\(tenantID)' not found. Check to make sure you have the correct tenant ID and are signing into "
                    + "the correct cloud.")
        }
        guard let grant = form["grant_type"] else { throw .missing("grant_type") }
        guard grant == "client_credentials" else {
            throw AuthorityRefusal(
                status: 400, error: "unsupported_grant_type", code: 70003,
                message: "The app requested an unsupported grant type '\(grant)'.")
        }
        guard let clientID = form["client_id"] else { throw .missing("client_id") }
        guard clientID.lowercased() == tenant.clientID.lowercased() else {
            throw AuthorityRefusal(
                status: 400, error: "unauthorized_client", code: 700016,
                message: "Application with identifier '\(clientID)' was not found in the directory '\(tenantID)'.")
        }
        guard let scope = form["scope"] else { throw .missing("scope") }
        guard scope.hasSuffix("/.default") else {
            throw AuthorityRefusal(
                status: 400, error: "invalid_scope", code: 1002012,
                message:
                    "The provided value for scope \(scope) is not valid. Client credential flows must have a scope "
                    + "value with /.default suffixed to the resource identifier (application ID URI).")
        }
        guard context.graphScopes.contains(scope.lowercased()) else {
            throw AuthorityRefusal(
                status: 400, error: "invalid_resource", code: 500011,
                message: "The resource principal named \(scope.dropLast("/.default".count)) was not found in the "
                    + "tenant named \(tenantID).")
        }
        if context.failingTenants.contains(tenant.name) { throw .badSecret(clientID: clientID) }
        switch (form["client_secret"], form["client_assertion"]) {
        case (let secret?, nil):
            guard let registered = tenant.clientSecret, secret == registered else {
                throw .badSecret(clientID: clientID)
            }
        case (nil, let assertion?):
            guard form["client_assertion_type"] == Self.assertionType else {
                throw .invalidRequest(
                    700025, "client_assertion_type must be '\(Self.assertionType)' with a client_assertion.")
            }
            try ClientAssertionCheck(tenant: tenant, audiences: context.audiences(tenantID), now: context.wallClock)
                .verify(assertion)
        case (nil, nil):
            throw .invalidClient(
                7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
            )
        case (_?, _?):
            throw .invalidRequest(700025, "Give either client_secret or client_assertion, not both.")
        }
        return tenant
    }

    /// The tenant a request's `Authorization: Bearer` token grants.
    func tenantName(authorization: String?, now: ContinuousClock.Instant) throws(BearerRefusal) -> String {
        let scheme = "bearer "
        guard let authorization, authorization.lowercased().hasPrefix(scheme) else { throw .missing }
        let value = authorization.dropFirst(scheme.count).trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { throw .missing }
        guard let token = tokens[value] else { throw .unknown }
        guard now < token.expires else { throw .expired }
        return token.tenantName
    }
}

/// What a token request is checked against besides the tenant: the time, and where the emulator answers.
struct TokenRequestContext {
    let now: ContinuousClock.Instant
    let wallClock: Date
    let tokenLifetimeSeconds: Int
    /// `scheme://host:port` under which this request reached the emulator (its base URL and the Host header's).
    let origins: [String]
    let failingTenants: Set<String>

    /// Graph's public-cloud scope, or the emulator's own host as a national cloud's would be.
    var graphScopes: Set<String> {
        var scopes: Set<String> = [Authority.graphScope]
        for origin in origins {
            let host = origin.split(separator: "://", maxSplits: 1).last.map(String.init) ?? origin
            let hostWithoutPort = host.split(separator: ":").first.map(String.init) ?? host
            for candidate in [host, hostWithoutPort] {
                scopes.insert("https://\(candidate)/.default".lowercased())
                scopes.insert("http://\(candidate)/.default".lowercased())
            }
        }
        return scopes
    }

    func audiences(_ tenantID: String) -> Set<String> {
        Set(origins.map { "\($0)/\(tenantID)/oauth2/v2.0/token".lowercased() })
    }
}
