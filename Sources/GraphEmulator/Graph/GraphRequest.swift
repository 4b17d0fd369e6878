/// Graph's two API versions; `signInPreferences` and hardware tokens exist only in beta.
enum APIVersion: String, Sendable {
    case v1 = "v1.0"
    case beta
}

/// One Graph request, direct or from a batch, its URL relative to the version (`/users/…?…`).
struct GraphRequest: Sendable {
    let method: String
    let version: APIVersion
    /// The URL after the version, as sent (a batch request's `url`).
    let relativeURL: String
    let body: JSONValue?
    /// The path's segments, percent-decoded; `users('x')` read as `users`, `x`.
    let segments: [String]
    /// The query's parameters, percent-decoded.
    let query: [String: String]
    /// The query as sent, for building a next page's link.
    let rawQuery: Substring

    init(method: String, version: APIVersion, relativeURL: String, body: JSONValue?) {
        self.method = method.uppercased()
        self.version = version
        self.relativeURL = relativeURL.hasPrefix("/") ? relativeURL : "/" + relativeURL
        self.body = body
        let parts = self.relativeURL.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        rawQuery = parts.count > 1 ? parts[1] : ""
        var segments: [String] = []
        for raw in parts[0].split(separator: "/") {
            if let open = raw.firstIndex(of: "("), raw.hasSuffix(")") {
                segments.append(PercentDecoding.decode(raw[..<open]))
                var key = raw[raw.index(after: open)..<raw.index(before: raw.endIndex)]
                if key.hasPrefix("'"), key.hasSuffix("'"), key.count >= 2 { key = key.dropFirst().dropLast() }
                segments.append(PercentDecoding.decode(key))
            } else {
                segments.append(PercentDecoding.decode(raw))
            }
        }
        self.segments = segments
        var query: [String: String] = [:]
        for pair in rawQuery.split(separator: "&") {
            let nameAndValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentDecoding.decode(nameAndValue[0])
            query[name] = nameAndValue.count > 1 ? PercentDecoding.decode(nameAndValue[1]) : ""
        }
        self.query = query
    }

    /// The key a `Retry-After` is remembered under: the same request sent again has the same one.
    var retryKey: String { "\(method) /\(version.rawValue)\(relativeURL)" }
}
