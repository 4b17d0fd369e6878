import Crypto
import Foundation
import GraphEmulator
import Testing
import _CryptoExtras

@Suite("The token endpoint")
struct AuthorityTests {
    @Test("A client secret that matches gets a bearer token")
    func secretGrantsToken() async throws {
        try await EmulatorClient.with { client in
            let reply = try await client.tokenReply(credential: [("client_secret", Fixture.secret)])
            #expect(reply.status == 200)
            #expect(reply.json?["token_type"] as? String == "Bearer")
            #expect(reply.json?["expires_in"] as? Int == 3599)
            #expect((reply.json?["access_token"] as? String)?.isEmpty == false)
        }
    }

    @Test("A wrong secret is refused 401 invalid_client, AADSTS7000215")
    func wrongSecretIsRefused() async throws {
        try await EmulatorClient.with { client in
            let reply = try await client.tokenReply(credential: [("client_secret", "not-it")])
            #expect(reply.status == 401)
            #expect(reply.json?["error"] as? String == "invalid_client")
            #expect(reply.json?["error_codes"] as? [Int] == [7000215])
            #expect((reply.json?["error_description"] as? String)?.hasPrefix("AADSTS7000215: ") == true)
            #expect(client.emulator.statistics.tokenRequests == 1)
        }
    }

    @Test("An unknown tenant is 400 AADSTS90002; a wrong scope 400 invalid_scope")
    func unknownTenantAndScopeAreRefused() async throws {
        try await EmulatorClient.with { client in
            let tenant = try await client.tokenReply(
                tenantID: "fabrikam.onmicrosoft.com", credential: [("client_secret", Fixture.secret)])
            #expect(tenant.status == 400)
            #expect(tenant.json?["error_codes"] as? [Int] == [90002])
            let scope = try await client.tokenReply(
                credential: [("client_secret", Fixture.secret)], scope: "https://graph.microsoft.com/User.Read")
            #expect(scope.status == 400)
            #expect(scope.json?["error"] as? String == "invalid_scope")
        }
    }

    @Test("A tenant set to fail its token requests gets 401 invalid_client")
    func failingTenantIsRefused() async throws {
        try await EmulatorClient.with { client in
            var faults = GraphEmulator.Faults()
            faults.failingTokenTenants = ["contoso"]
            client.emulator.setFaults(faults)
            let reply = try await client.tokenReply(credential: [("client_secret", Fixture.secret)])
            #expect(reply.status == 401)
            #expect(reply.json?["error"] as? String == "invalid_client")
        }
    }

    @Test("A PS256 client assertion signed with the registered certificate's key gets a token")
    func certificateAssertionGrantsToken() async throws {
        let signer = try AssertionSigner()
        try await EmulatorClient.with(tenant: signer.tenant) { client in
            let audience = "\(client.base)/\(signer.tenant.tenantID)/oauth2/v2.0/token"
            let assertion = try signer.assertion(audience: audience)
            let reply = try await client.tokenReply(credential: AssertionSigner.form(assertion))
            #expect(reply.status == 200, "\(reply.json ?? [:])")
            #expect(reply.json?["access_token"] is String)
        }
    }

    @Test("An assertion signed by another key, for another audience or already expired is refused")
    func badAssertionsAreRefused() async throws {
        let signer = try AssertionSigner()
        try await EmulatorClient.with(tenant: signer.tenant) { client in
            let audience = "\(client.base)/\(signer.tenant.tenantID)/oauth2/v2.0/token"
            let otherKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            let cases = [
                try signer.assertion(audience: audience, key: otherKey),
                try signer.assertion(audience: "\(client.base)/other.onmicrosoft.com/oauth2/v2.0/token"),
                try signer.assertion(audience: audience, expiresIn: -10),
            ]
            var codes: [[Int]] = []
            for assertion in cases {
                let reply = try await client.tokenReply(credential: AssertionSigner.form(assertion))
                #expect(reply.status == 401)
                #expect(reply.json?["error"] as? String == "invalid_client")
                codes.append(reply.json?["error_codes"] as? [Int] ?? [])
            }
            #expect(codes == [[700027], [700212], [700024]])
        }
    }

    @Test("Graph refuses a missing, unknown or expired bearer with 401 InvalidAuthenticationToken")
    func badBearersAreRefused() async throws {
        try await EmulatorClient.with { client in
            let token = try await client.token()
            let fresh = try await client.send(.get, "/v1.0/users", token: token)
            #expect(fresh.status == 200)
            for bearer in [nil, "not-a-token"] {
                let reply = try await client.send(.get, "/v1.0/users", token: bearer)
                #expect(reply.status == 401)
                #expect(reply.errorCode == "InvalidAuthenticationToken")
            }
        }
        // A lifetime of nothing makes every token expired by its first use, whatever the machine's load; a
        // lifetime of a second and a sleep had raced a busy CI machine.
        var configuration = GraphEmulator.Configuration()
        configuration.tokenLifetimeSeconds = 0
        try await EmulatorClient.with(configuration: configuration) { client in
            let token = try await client.token()
            let expired = try await client.send(.get, "/v1.0/users", token: token)
            #expect(expired.status == 401)
            #expect(expired.errorCode == "InvalidAuthenticationToken")
            #expect(expired.errorMessage.contains("expired"))
        }
    }
}

/// Client assertions made the way the identity platform's certificate credential docs describe, with the test
/// app's certificate (Tests/GraphTests/Fixtures).
struct AssertionSigner {
    let key: _RSA.Signing.PrivateKey
    let thumbprint: [UInt8]
    let tenant: EmulatedTenant

    init() throws {
        let pem = try String(contentsOfFile: Fixture.fixturePath("test-app-certificate.pem"), encoding: .utf8)
        let publicKey = try String(contentsOfFile: Fixture.fixturePath("test-app-public-key.pem"), encoding: .utf8)
        let keyBlock = try #require(Self.block("PRIVATE KEY", in: pem))
        key = try _RSA.Signing.PrivateKey(
            pemRepresentation: "-----BEGIN PRIVATE KEY-----\n\(keyBlock)\n-----END PRIVATE KEY-----")
        let certificate = try #require(
            Self.block("CERTIFICATE", in: pem).flatMap { Data(base64Encoded: $0, options: .ignoreUnknownCharacters) })
        thumbprint = Array(SHA256.hash(data: certificate))
        tenant = EmulatedTenant(
            name: "contoso", tenantID: "contoso.onmicrosoft.com", clientID: "00000000-0000-0000-0000-0000000000c1",
            certificatePublicKeyPEM: publicKey, certificateThumbprintSHA256: thumbprint)
    }

    func assertion(audience: String, key signingKey: _RSA.Signing.PrivateKey? = nil, expiresIn: Int = 600) throws
        -> String
    {
        let now = Int(Date().timeIntervalSince1970)
        let header: [String: Any] = ["alg": "PS256", "typ": "JWT", "x5t#S256": Self.base64URL(thumbprint)]
        let claims: [String: Any] = [
            "aud": audience, "iss": tenant.clientID, "sub": tenant.clientID, "jti": UUID().uuidString,
            "nbf": now - 5, "exp": now + expiresIn,
        ]
        let input =
            Self.base64URL(Array(try JSONSerialization.data(withJSONObject: header))) + "."
            + Self.base64URL(Array(try JSONSerialization.data(withJSONObject: claims)))
        let signature = try (signingKey ?? key).signature(for: Array(input.utf8), padding: .PSS)
        return input + "." + Self.base64URL(Array(signature.rawRepresentation))
    }

    static func form(_ assertion: String) -> [(String, String)] {
        [
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", assertion),
        ]
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func block(_ name: String, in pem: String) -> String? {
        guard let begin = pem.range(of: "-----BEGIN \(name)-----"),
            let end = pem.range(of: "-----END \(name)-----", range: begin.upperBound..<pem.endIndex)
        else { return nil }
        return pem[begin.upperBound..<end.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
