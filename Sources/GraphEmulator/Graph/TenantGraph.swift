/// One tenant's Graph: answers a request against the tenant's directory, and records what it changed.
struct TenantGraph {
    let hasPremiumReports: Bool
    let baseURL: String
    let pageSize: Int

    /// Graph's answer, and the change it made ("METHOD /users/{object id}/authentication/…") if it made one.
    func answer(_ request: GraphRequest, in directory: inout TenantDirectory) -> (GraphAnswer, String?) {
        let segments = request.segments
        switch segments.first {
        case "users" where segments.count == 1:
            return (request.method == "GET" ? users(request, directory) : .methodNotAllowed, nil)
        case "users":
            return userAnswer(request, in: &directory)
        case "reports" where segments == ["reports", "authenticationMethods", "userRegistrationDetails"]:
            guard request.method == "GET" else { return (.methodNotAllowed, nil) }
            guard hasPremiumReports else {
                return (
                    .error(
                        403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                        "Neither tenant is B2C or tenant doesn't have premium license"), nil
                )
            }
            return (registrationDetails(request, directory), nil)
        case "directoryRoles" where segments.count == 1:
            return (request.method == "GET" ? directoryRoles(request, directory) : .methodNotAllowed, nil)
        default:
            return (.segmentNotFound(segments.last ?? ""), nil)
        }
    }

    // MARK: Lists

    private func users(_ request: GraphRequest, _ directory: TenantDirectory) -> GraphAnswer {
        let selected = request.query["$select"].map { Set($0.split(separator: ",").map(String.init)) }
        return page(request, of: directory.users, context: "users") { user in
            var item = JSONObject()
            for (key, value) in [("id", user.id), ("userPrincipalName", user.userPrincipalName)]
            where selected?.contains(key) ?? true {
                item[key] = .string(value)
            }
            return item
        }
    }

    /// userregistrationdetails.md's fields, from what the emulator holds.
    private func registrationDetails(_ request: GraphRequest, _ directory: TenantDirectory) -> GraphAnswer {
        page(request, of: directory.users, context: "reports/authenticationMethods/userRegistrationDetails") { user in
            let registered = user.methods.compactMap(\.kind.registeredName)
            let isMfaRegistered = user.methods.contains { $0.kind.isMfa }
            let defaultName = user.defaultMethod?.rawValue ?? "none"
            return JSONObject([
                ("id", .string(user.id)),
                ("userPrincipalName", .string(user.userPrincipalName)),
                ("userDisplayName", .string(String(user.userPrincipalName.prefix { $0 != "@" }))),
                ("userType", .string("member")),
                ("isAdmin", .bool(user.isAdmin)),
                ("isSsprRegistered", .bool(registered.count >= 1)),
                ("isSsprEnabled", .bool(false)),
                ("isSsprCapable", .bool(false)),
                ("isMfaRegistered", .bool(isMfaRegistered)),
                ("isMfaCapable", .bool(isMfaRegistered)),
                ("isPasswordlessCapable", .bool(false)),
                ("methodsRegistered", .array(registered.map(JSONValue.string))),
                (
                    "isSystemPreferredAuthenticationMethodEnabled",
                    user.signInPreferences["isSystemPreferredAuthenticationMethodEnabled"] ?? .bool(false)
                ),
                ("systemPreferredAuthenticationMethods", .array([])),
                ("userPreferredMethodForSecondaryAuthentication", .string(defaultName)),
                ("lastUpdatedDateTime", .string("2026-01-01T00:00:00Z")),
            ])
        }
    }

    /// The admins as members of one Global Administrator role.
    private func directoryRoles(_ request: GraphRequest, _ directory: TenantDirectory) -> GraphAnswer {
        var role = JSONObject([
            ("id", .string("9f0b0f3c-4a55-4d8e-9a59-1b1c6e6b7a01")),
            ("displayName", .string("Global Administrator")),
            ("roleTemplateId", .string("62e90394-69f5-4237-9190-012177145e10")),
        ])
        if request.query["$expand"] == "members" {
            role["members"] = .array(
                directory.admins.map { admin in
                    .object(
                        JSONObject([
                            ("@odata.type", .string("#microsoft.graph.user")),
                            ("id", .string(admin.id)),
                            ("userPrincipalName", .string(admin.userPrincipalName)),
                        ]))
                })
        }
        return .ok(
            JSONObject([
                ("@odata.context", .string("\(baseURL)/\(request.version.rawValue)/$metadata#directoryRoles")),
                ("value", .array([.object(role)])),
            ]))
    }

    /// A page of a collection: `$top` items (at most 999) or the page size, from `$skiptoken`, with an
    /// `@odata.nextLink` while items remain.
    private func page<Item>(
        _ request: GraphRequest, of items: [Item], context: String, _ item: (Item) -> JSONObject
    ) -> GraphAnswer {
        var size = pageSize
        if let top = request.query["$top"] {
            guard let value = Int(top), value > 0 else { return .badRequest("Invalid $top value '\(top)'.") }
            size = min(value, 999)
        }
        var start = 0
        if let token = request.query["$skiptoken"] {
            guard let offset = SkipToken.offset(token), offset <= items.count else {
                return .badRequest("Invalid $skiptoken '\(token)'.")
            }
            start = offset
        }
        let end = min(items.count, start + size)
        var body = JSONObject([
            ("@odata.context", .string("\(baseURL)/\(request.version.rawValue)/$metadata#\(context)"))
        ])
        if end < items.count {
            let kept = request.rawQuery.split(separator: "&").filter {
                !PercentDecoding.decode($0).hasPrefix("$skiptoken=")
            }
            let query = (kept + ["$skiptoken=\(SkipToken.token(end))"]).joined(separator: "&")
            let path = request.relativeURL.prefix { $0 != "?" }
            body["@odata.nextLink"] = .string("\(baseURL)/\(request.version.rawValue)\(path)?\(query)")
        }
        body["value"] = .array(items[start..<end].map { .object(item($0)) })
        return .ok(body)
    }

    // MARK: A user's authentication

    private func userAnswer(_ request: GraphRequest, in directory: inout TenantDirectory) -> (GraphAnswer, String?) {
        let segments = request.segments
        guard let position = directory.position(of: segments[1]) else { return (.userNotFound(segments[1]), nil) }
        guard segments.count >= 4, segments[2] == "authentication" else {
            if segments.count == 2, request.method == "GET" {
                let user = directory[position]
                return (
                    .ok(
                        JSONObject([("id", .string(user.id)), ("userPrincipalName", .string(user.userPrincipalName))])),
                    nil
                )
            }
            return (.segmentNotFound(segments.count > 2 ? segments[2] : segments[1]), nil)
        }
        var user = directory[position]
        let answer = authenticationAnswer(request, segments: Array(segments[3...]), user: &user)
        guard answer.succeeded, request.method != "GET" else { return (answer, nil) }
        directory[position] = user
        let path = ([user.id, "authentication"] + segments[3...]).joined(separator: "/")
        return (answer, "\(request.method) /users/\(path)")
    }

    private func authenticationAnswer(
        _ request: GraphRequest, segments: [String], user: inout DirectoryUser
    ) -> GraphAnswer {
        let context = "\(baseURL)/\(request.version.rawValue)/$metadata#users('\(user.id)')/authentication"
        switch (segments.first, segments.count, request.method) {
        case ("methods", 1, "GET"):
            let shown = user.methods.filter { request.version == .beta || $0.kind != .hardwareOath }
            return .ok(
                JSONObject([
                    ("@odata.context", .string("\(context)/methods")),
                    ("value", .array(shown.map { .object($0.listed) })),
                ]))
        case ("methods", 2, "GET"):
            guard
                let method = user.methods.first(where: {
                    $0.id.lowercased() == segments[1].lowercased()
                        && (request.version == .beta || $0.kind != .hardwareOath)
                })
            else { return .methodNotFound(segments[1]) }
            return .ok(method.listed)
        case ("signInPreferences", 1, _) where request.version != .beta:
            return .segmentNotFound("signInPreferences")
        case ("signInPreferences", 1, "GET"):
            return .ok(
                JSONObject(
                    [("@odata.context", .string("\(context)/signInPreferences/$entity"))]
                        + user.signInPreferences.members))
        case ("signInPreferences", 1, "PATCH"):
            return user.updateSignInPreferences(request.body)
        case ("signInPreferences", 1, _):
            return .methodNotAllowed
        default:
            guard let name = segments.first, let collection = MethodCollection(rawValue: name) else {
                return .segmentNotFound(segments.first ?? "authentication")
            }
            if collection.isBetaOnly, request.version != .beta { return .segmentNotFound(name) }
            return collectionAnswer(request, collection, id: segments.count == 2 ? segments[1] : nil, user: &user)
                ?? .segmentNotFound(segments.last ?? name)
        }
    }

    /// A method collection's list, item, add, update or delete; nil for a path deeper than an item.
    private func collectionAnswer(
        _ request: GraphRequest, _ collection: MethodCollection, id: String?, user: inout DirectoryUser
    ) -> GraphAnswer? {
        switch (id, request.method, collection) {
        case (nil, "GET", _):
            let items = user.methods.filter { collection.holds($0.kind) }.map { JSONValue.object(collection.shown($0)) }
            return .ok(JSONObject([("value", .array(items))]))
        case (nil, "POST", .phoneMethods): return user.addPhone(request.body)
        case (nil, "POST", .emailMethods): return user.addEmail(request.body)
        case (nil, _, _): return .methodNotAllowed
        case (let id?, "GET", _):
            guard
                let method = user.methods.first(where: {
                    collection.holds($0.kind) && $0.id.lowercased() == id.lowercased()
                })
            else { return .methodNotFound(id) }
            return .ok(collection.shown(method))
        case (let id?, "PATCH", .phoneMethods): return user.updatePhone(id: id, request.body)
        case (let id?, "PATCH", .emailMethods): return user.updateEmail(id: id, request.body)
        case (let id?, "DELETE", _): return user.deleteMethod(id: id, in: collection)
        case (_?, _, _): return .methodNotAllowed
        }
    }
}

/// The opaque `$skiptoken` of a next page: the offset of its first item, in hex after a marker.
enum SkipToken {
    private static let prefix = "X"

    static func token(_ offset: Int) -> String { prefix + String(offset, radix: 16) }

    static func offset(_ token: String) -> Int? {
        guard token.hasPrefix(prefix) else { return nil }
        return Int(token.dropFirst(prefix.count), radix: 16)
    }
}
