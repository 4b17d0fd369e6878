import Foundation
public import SecurityInfo
public import SecurityInfoFormats

/// One tenant of the tenants file (GRAPH.md §4): the directory it lives in, the app registration secinfo signs in
/// as, and where the app's credential is. The credential itself is never held here: a secret stays in the
/// environment until a token is asked for, a certificate in its file.
public struct GraphTenant: Sendable, Hashable {
    public enum Credential: Sendable, Hashable {
        /// The client secret is in this environment variable.
        case secretEnvironment(String)
        /// A PEM file holding the certificate and its private key: the client assertion is signed with it.
        case certificate(path: String)
    }

    /// secinfo's name for the tenant: the export's `tenant`, the tenants file's key.
    public var name: String
    /// The directory: its id or a verified domain (`contoso.onmicrosoft.com`).
    public var tenantID: String
    public var clientID: String
    public var credential: Credential

    public init(name: String, tenantID: String, clientID: String, credential: Credential) {
        self.name = name
        self.tenantID = tenantID
        self.clientID = clientID
        self.credential = credential
    }
}

/// Reads the tenants file: `{"tenants": {"NAME": {"tenantId", "clientId", "clientSecretEnv" | "certificate"}}}`.
/// Unknown fields, a missing field, both credentials or neither are input errors at their line and column. A
/// certificate's relative path is taken from the tenants file's folder.
public enum TenantsFile {
    public static func read(path: String) throws(InputError) -> [GraphTenant] {
        let bytes = try FileByteSource(path: path).readAll()
        let document = try JSONReader.read(bytes, path: path)
        let top = try members(of: document.root, in: document, at: "the top level", allowed: ["tenants"])
        guard let tenantsValue = top.first(where: { $0.key == "tenants" })?.value else {
            throw document.error(at: document.root.range.lowerBound, "the top level: \"tenants\" is missing")
        }
        let folder = (path as NSString).deletingLastPathComponent
        var tenants: [GraphTenant] = []
        for member in try members(of: tenantsValue, in: document, at: "tenants", allowed: nil) {
            guard TenantID.isValid(member.key) else {
                throw document.error(
                    at: member.keyOffset,
                    "tenants: '\(ContactMask.echoed(tenant: member.key))' is not a valid tenant id")
            }
            let place = "tenants.\(member.key)"
            let fields = try members(
                of: member.value, in: document, at: place,
                allowed: ["tenantId", "clientId", "clientSecretEnv", "certificate"])
            func text(_ key: String) throws(InputError) -> String? {
                guard let value = fields.first(where: { $0.key == key })?.value else { return nil }
                guard let string = document.string(value), !string.isEmpty else {
                    throw document.error(
                        at: value.range.lowerBound,
                        "\(place).\(key): expected a non-empty string, found \(document.summary(value))")
                }
                return string
            }
            guard let tenantID = try text("tenantId"), let clientID = try text("clientId") else {
                throw document.error(at: member.value.range.lowerBound, "\(place): needs \"tenantId\" and \"clientId\"")
            }
            // The tenant id goes into the token URL's path: a name that could leave it is refused here.
            guard tenantID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) else {
                throw document.error(
                    at: fields.first { $0.key == "tenantId" }!.value.range.lowerBound,
                    "\(place).tenantId: expected a directory id or domain (letters, digits, '-', '.', '_')")
            }
            let credential: GraphTenant.Credential
            switch (try text("clientSecretEnv"), try text("certificate")) {
            case (let variable?, nil): credential = .secretEnvironment(variable)
            case (nil, let certificate?):
                let resolved =
                    certificate.hasPrefix("/") || folder.isEmpty ? certificate : folder + "/" + certificate
                credential = .certificate(path: resolved)
            default:
                throw document.error(
                    at: member.value.range.lowerBound,
                    "\(place): give exactly one of \"clientSecretEnv\" (an environment variable's name) or \"certificate\" (a PEM file)"
                )
            }
            tenants.append(
                GraphTenant(name: member.key, tenantID: tenantID, clientID: clientID, credential: credential))
        }
        return tenants
    }

    private static func members(of value: JSONValue, in document: JSONDocument, at place: String, allowed: [String]?)
        throws(InputError) -> [JSONMember]
    {
        guard case .object(let members) = value.kind else {
            throw document.error(
                at: value.range.lowerBound, "\(place): expected an object, found \(document.summary(value))")
        }
        if let allowed, let unknown = members.first(where: { !allowed.contains($0.key) }) {
            throw document.error(
                at: unknown.keyOffset,
                "\(place).\(ContactMask.echoed(identity: unknown.key)): unknown field (expected one of \(allowed.joined(separator: ", ")))"
            )
        }
        return members
    }
}
