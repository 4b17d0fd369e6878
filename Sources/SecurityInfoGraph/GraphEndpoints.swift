/// Where Graph and the token authority are (`--graph-url`, `--authority-url`): a scheme, a host and a port, no
/// path. `http` only for a loopback host, so a token or a secret never crosses a network in the clear.
public struct GraphEndpoints: Sendable, Hashable {
    public static let defaultGraph = "https://graph.microsoft.com"
    public static let defaultAuthority = "https://login.microsoftonline.com"

    public let graph: String
    public let authority: String
    /// The host of the Graph URL, for the token's scope (`https://graph.microsoft.com/.default` in the public
    /// cloud, the national cloud's host elsewhere).
    public let graphHost: String

    public init(graph: String = defaultGraph, authority: String = defaultAuthority) throws(GraphEndpointError) {
        self.graph = try Self.checked(graph, option: "--graph-url").url
        self.authority = try Self.checked(authority, option: "--authority-url").url
        graphHost = try Self.checked(graph, option: "--graph-url").host
    }

    /// The token's scope: the Graph host's `.default` (the app's granted permissions).
    public var scope: String { "https://\(graphHost)/.default" }

    private static func checked(_ text: String, option: String) throws(GraphEndpointError) -> (
        url: String, host: String
    ) {
        var url = text
        while url.hasSuffix("/") { url.removeLast() }
        let scheme: String
        if url.lowercased().hasPrefix("https://") {
            scheme = "https"
        } else if url.lowercased().hasPrefix("http://") {
            scheme = "http"
        } else {
            throw GraphEndpointError("\(option) \(text): expected https://HOST[:PORT]")
        }
        let authority = url.dropFirst(scheme.count + 3)
        guard !authority.isEmpty, !authority.contains(where: { "/?#@ ".contains($0) }) else {
            throw GraphEndpointError("\(option) \(text): give the scheme, host and port only, no path, query or user")
        }
        let host: Substring
        let port: Substring?
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            port = rest.isEmpty ? nil : rest.hasPrefix(":") ? rest.dropFirst() : ""
        } else {
            let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            port = parts.count == 2 ? parts[1] : nil
        }
        if let port {
            guard port.allSatisfy(\.isNumber), let number = Int(port), (1...65535).contains(number) else {
                throw GraphEndpointError("\(option) \(text): the port must be a number from 1 to 65535")
            }
        }
        guard !host.isEmpty, !host.contains(":") || authority.hasPrefix("[") else {
            throw GraphEndpointError("\(option) \(text): expected a host")
        }
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(host.lowercased()) || host.hasPrefix("127.")
        if scheme == "http" && !loopback {
            throw GraphEndpointError("\(option) \(text): http is allowed only for a loopback host; use https")
        }
        return ("\(scheme)://\(authority)", String(host).lowercased())
    }
}

/// A `--graph-url` or `--authority-url` that is not a scheme, host and port.
public struct GraphEndpointError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
