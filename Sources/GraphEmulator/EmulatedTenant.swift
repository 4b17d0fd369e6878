/// A tenant the emulator's authority knows: its app registration's client id, and a secret, a certificate or
/// both for the client-credentials grant.
public struct EmulatedTenant: Sendable {
    /// The tenant's name in secinfo's files (the tenants file's key, an export line's `tenant`).
    public var name: String
    /// The tenant id in the token endpoint's path (a GUID or a domain name).
    public var tenantID: String
    public var clientID: String
    public var clientSecret: String?
    /// The registered certificate's RSA public key (PEM), which checks a client assertion's signature.
    public var certificatePublicKeyPEM: String?
    /// SHA-256 of the registered certificate's DER bytes: a client assertion's `x5t#S256` must name it.
    public var certificateThumbprintSHA256: [UInt8]?
    /// Whether the tenant has Entra ID P1, which `userRegistrationDetails` needs.
    public var hasPremiumReports: Bool

    public init(
        name: String, tenantID: String, clientID: String, clientSecret: String? = nil,
        certificatePublicKeyPEM: String? = nil, certificateThumbprintSHA256: [UInt8]? = nil,
        hasPremiumReports: Bool = true
    ) {
        self.name = name
        self.tenantID = tenantID
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.certificatePublicKeyPEM = certificatePublicKeyPEM
        self.certificateThumbprintSHA256 = certificateThumbprintSHA256
        self.hasPremiumReports = hasPremiumReports
    }
}
