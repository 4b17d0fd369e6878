import Crypto
import Foundation
import _CryptoExtras

/// The certificate credential of the identity platform: a JWT the app signs with its certificate's private key,
/// sent as `client_assertion` in place of a secret. Signed PS256, which the identity platform's docs now
/// recommend over RS256; the header's `x5t#S256` is the base64url SHA-256 of the certificate's DER bytes, which
/// is how the platform finds the certificate registered on the app.
struct ClientAssertion {
    let privateKey: _RSA.Signing.PrivateKey
    /// `x5t#S256`.
    let thumbprint: String

    /// Reads a PEM file holding the private key (PKCS#8 or PKCS#1) and the certificate, in any order.
    init(pemFile path: String) throws(GraphFailure.Reason) {
        guard let data = FileManager.default.contents(atPath: path), let pem = String(data: data, encoding: .utf8)
        else { throw .credential("cannot read the certificate file \(path)") }
        guard let certificate = Self.block(named: "CERTIFICATE", in: pem),
            let der = Data(base64Encoded: certificate, options: .ignoreUnknownCharacters)
        else { throw .credential("\(path): no PEM certificate (-----BEGIN CERTIFICATE-----) found") }
        let keyBlock = ["PRIVATE KEY", "RSA PRIVATE KEY"].lazy.compactMap { name in
            Self.block(named: name, in: pem).map { "-----BEGIN \(name)-----\n\($0)\n-----END \(name)-----" }
        }.first
        guard let keyBlock, let key = try? _RSA.Signing.PrivateKey(pemRepresentation: keyBlock) else {
            throw .credential("\(path): no RSA private key (-----BEGIN PRIVATE KEY-----) found, or it cannot be read")
        }
        privateKey = key
        thumbprint = Base64URL.encode(Array(SHA256.hash(data: der)))
    }

    /// A signed assertion for one token request: valid for ten minutes, its own `jti`.
    func make(clientID: String, audience: String, now: Date = Date()) throws(GraphFailure.Reason) -> String {
        let issued = Int(now.timeIntervalSince1970)
        let header: [String: String] = ["alg": "PS256", "typ": "JWT", "x5t#S256": thumbprint]
        let claims: [String: any Sendable] = [
            "aud": audience, "iss": clientID, "sub": clientID, "jti": UUID().uuidString.lowercased(),
            "nbf": issued, "iat": issued, "exp": issued + 600,
        ]
        guard let headerJSON = try? JSONSerialization.data(withJSONObject: header, options: .sortedKeys),
            let claimsJSON = try? JSONSerialization.data(withJSONObject: claims, options: .sortedKeys)
        else { throw .credential("cannot encode the client assertion") }
        let signingInput = Base64URL.encode(Array(headerJSON)) + "." + Base64URL.encode(Array(claimsJSON))
        guard let signature = try? privateKey.signature(for: Array(signingInput.utf8), padding: .PSS) else {
            throw .credential("cannot sign the client assertion")
        }
        return signingInput + "." + Base64URL.encode(Array(signature.rawRepresentation))
    }

    /// The base64 text between a PEM block's markers.
    private static func block(named name: String, in pem: String) -> String? {
        guard let begin = pem.range(of: "-----BEGIN \(name)-----"),
            let end = pem.range(of: "-----END \(name)-----", range: begin.upperBound..<pem.endIndex)
        else { return nil }
        return pem[begin.upperBound..<end.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Base64 with the URL alphabet and no padding (RFC 7515's base64url).
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
