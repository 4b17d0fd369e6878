import Crypto
import Foundation
import _CryptoExtras

/// Checks a client assertion (a certificate credential: a JWT signed with the app's certificate key) the way the
/// identity platform does: a compact JWS, RS256 or PS256, `x5t#S256` naming the registered certificate, a valid
/// signature, and claims for this client, this token endpoint and now.
struct ClientAssertionCheck {
    let tenant: EmulatedTenant
    /// The token endpoint URLs `aud` may name: this tenant's, at the addresses the emulator answers on.
    let audiences: Set<String>
    let now: Date

    func verify(_ assertion: String) throws(AuthorityRefusal) {
        let parts = assertion.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]),
            let claimsBytes = Base64URL.decode(parts[1]), let signature = Base64URL.decode(parts[2]),
            let header = try? JSONParser.parse(headerBytes).object,
            let claims = try? JSONParser.parse(claimsBytes).object
        else { throw .invalidClient(50027, "JWT token is invalid or malformed.") }

        let padding: _RSA.Signing.Padding
        switch header["alg"]?.string {
        case "RS256": padding = .insecurePKCS1v1_5
        case "PS256": padding = .PSS
        default:
            throw .invalidClient(
                5002738, "Invalid JWT token. '\(header["alg"]?.string ?? "")' is not a supported signature algorithm.")
        }
        if let type = header["typ"], type.string != "JWT" {
            throw .invalidClient(50027, "Invalid JWT token. The header's typ is not JWT.")
        }
        guard let registered = tenant.certificateThumbprintSHA256, let pem = tenant.certificatePublicKeyPEM,
            let thumbprint = header["x5t#S256"]?.string.flatMap(Base64URL.decode), thumbprint == registered
        else {
            throw .invalidClient(
                700027,
                "The certificate with identifier used to sign the client assertion is not registered on application.")
        }
        guard let key = try? _RSA.Signing.PublicKey(pemRepresentation: pem),
            key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: Array((parts[0] + "." + parts[1]).utf8),
                padding: padding)
        else { throw .invalidClient(700027, "Client assertion contains an invalid signature.") }

        guard let audience = claims["aud"]?.string, audiences.contains(audience.lowercased()) else {
            throw .invalidClient(
                700212, "The client assertion's audience claim does not match this tenant's token endpoint.")
        }
        guard claims["iss"]?.string == tenant.clientID, claims["sub"]?.string == tenant.clientID else {
            throw .invalidClient(700021, "Client assertion application identifier doesn't match 'client_id' parameter.")
        }
        let seconds = now.timeIntervalSince1970
        guard let expiry = Self.seconds(claims["exp"]), expiry > seconds else {
            throw .invalidClient(700024, "Client assertion is not within its valid time range.")
        }
        if let notBefore = claims["nbf"], (Self.seconds(notBefore) ?? .infinity) > seconds {
            throw .invalidClient(700024, "Client assertion is not within its valid time range.")
        }
        guard let jti = claims["jti"]?.string, !jti.isEmpty else {
            throw .invalidClient(50027, "Invalid JWT token. The token has no jti claim.")
        }
    }

    private static func seconds(_ value: JSONValue?) -> Double? {
        guard case .number(let text)? = value else { return nil }
        return Double(text)
    }
}
