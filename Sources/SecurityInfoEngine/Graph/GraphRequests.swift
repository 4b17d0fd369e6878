import Foundation
import SecurityInfo
import SecurityInfoFormats

/// The Graph calls that make a run's applied changes in the tenants (GRAPH.md §2): each change's requests, in the
/// order Graph enforces, and the JSON batches of them, a line each (`--graph-requests`).
enum GraphRequests {
    /// How the message of a change Graph cannot make starts (GRAPH.md §2).
    static let manualStepPrefix = "manual step: "

    /// One request of a batch.
    struct Request: Equatable {
        var id: String
        var method: String
        /// After the version: `/users/{u}/authentication/…`.
        var url: String
        /// The JSON body's members, in order (`nil`: no body).
        var body: [(key: String, value: String)]?
        /// Only Graph's `beta` has the endpoint (`signInPreferences`, hardware tokens).
        var isBeta: Bool
        var dependsOn: String?

        static func == (lhs: Request, rhs: Request) -> Bool {
            lhs.id == rhs.id && lhs.method == rhs.method && lhs.url == rhs.url && lhs.isBeta == rhs.isBeta
                && lhs.dependsOn == rhs.dependsOn && lhs.body?.map(\.key) == rhs.body?.map(\.key)
                && lhs.body?.map(\.value) == rhs.body?.map(\.value)
        }
    }

    /// What an applied change makes: its requests, or why Graph cannot make it (a manual step).
    enum Plan: Equatable {
        case requests([Request])
        case manual(String)
    }

    /// The requests of one applied change of a user named in URLs by `user` (its object id, or its UPN).
    static func plan(for change: ChangeRequest, result: ChangeResult, user: String) -> Plan {
        let base = "/users/\(GraphMethodType.pathSegment(user))/authentication"
        var requests: [Request] = []
        func add(_ method: String, _ url: String, body: [(String, String)]? = nil, beta: Bool = false) {
            let id = requests.isEmpty ? change.name : "\(change.name)#\(requests.count + 1)"
            requests.append(
                Request(
                    id: id, method: method, url: base + url, body: body.map { $0.map { ($0.0, $0.1) } }, isBeta: beta))
        }
        func setDefault(_ method: DefaultMethod) {
            add(
                "PATCH", "/signInPreferences", body: [(GraphMethodType.preferredMethodKey, method.rawValue)], beta: true
            )
        }
        /// The request that deletes one method, or why none can.
        func delete(_ instance: MethodInstance) -> String? {
            switch instance.kind {
            case .securityQuestions:
                return "Graph has no call for security questions: the user removes them on the Security info page"
            case .mobilePhone, .alternateMobilePhone, .officePhone, .email:
                add("DELETE", "/\(endpoint(instance.kind))/\(GraphMethodType.fixedIDs[instance.kind]!)")
            default:
                guard !instance.id.isEmpty else {
                    return "the export has no method id for this \(instance.kind.rawValue): Graph deletes by id"
                }
                add(
                    "DELETE", "/\(endpoint(instance.kind))/\(GraphMethodType.pathSegment(instance.id))",
                    beta: instance.kind == .hardwareOath)
            }
            return nil
        }

        let removed = result.before.compactMap { fact -> MethodInstance? in
            if case .method(let instance) = fact { return instance }
            return nil
        }
        let movedTo = result.after.lazy.compactMap { fact -> DefaultMethod? in
            if case .defaultMethod(let method) = fact { return method }
            return nil
        }.first
        switch Operation(token: change.operation.trimmingWhitespace) {
        case .add:
            guard case .method(let added)? = result.after.first else { return .requests([]) }
            switch added.kind {
            case .mobilePhone, .alternateMobilePhone, .officePhone:
                add("POST", "/phoneMethods", body: phoneBody(added))
            case .email:
                add("POST", "/emailMethods", body: [("emailAddress", added.value)])
            default:
                // Graph's beta assigns by serial only with the token's current code (assignAndActivateBySerialNumber
                // needs verificationCode), which a batch cannot know.
                return .manual(
                    "Graph assigns a hardware token by serial only with a code read off the token: whoever holds it assigns it in the Entra admin center or My Security Info"
                )
            }
        case .edit:
            guard case .method(let edited)? = result.after.first else { return .requests([]) }
            let id = GraphMethodType.fixedIDs[edited.kind]!
            add(
                "PATCH", "/\(endpoint(edited.kind))/\(id)",
                body: edited.kind == .email ? [("emailAddress", edited.value)] : phoneBody(edited))
        case .setDefault:
            guard let target = movedTo else { return .requests([]) }
            setDefault(target)
        case .delete:
            // Graph refuses to delete the method behind the default: the default moves first. A default moved to
            // none has no value Graph takes; Graph clears it when the last method that could hold it goes.
            if result.rule == .defaultDelete, let target = movedTo, target != .none { setDefault(target) }
            for instance in removed {
                if let why = delete(instance) { return .manual(why) }
            }
        case .requireReregister:
            // The alternate before the mobile phone it needs, the default's method last; no PATCH: Graph takes no
            // none.
            let oldDefault =
                result.before.lazy.compactMap { fact -> DefaultMethod? in
                    if case .defaultMethod(let method) = fact { return method }
                    return nil
                }.first ?? .none
            let ordered = removed.sorted { order($0, default: oldDefault) < order($1, default: oldDefault) }
            for instance in ordered {
                if let why = delete(instance) { return .manual(why) }
            }
        case nil:
            return .requests([])
        }
        return .requests(requests)
    }

    /// Where a method's deletes go in `require-reregister`: the alternate before the mobile, the default's last.
    private static func order(_ instance: MethodInstance, default method: DefaultMethod) -> Int {
        if method.isBacked(by: instance.kind) { return 3 }
        switch instance.kind {
        case .alternateMobilePhone: return 0
        case .mobilePhone: return 2
        default: return 1
        }
    }

    private static func endpoint(_ kind: MethodKind) -> String {
        switch kind {
        case .mobilePhone, .alternateMobilePhone, .officePhone: "phoneMethods"
        case .email: "emailMethods"
        case .microsoftAuthenticator: "microsoftAuthenticatorMethods"
        case .softwareOath: "softwareOathMethods"
        case .hardwareOath: "hardwareOathMethods"
        case .fido2: "fido2Methods"
        case .securityQuestions: ""
        }
    }

    private static func phoneBody(_ instance: MethodInstance) -> [(String, String)] {
        [("phoneNumber", instance.value), ("phoneType", GraphMethodType.phoneTypes[instance.kind]!)]
    }

    // MARK: Batches

    /// A user's requests in change-file order, for one tenant.
    struct UserRequests {
        var tenant: String
        var requests: [Request]
    }

    /// The batches of a run's requests, a JSON line each: at most 20 requests a batch, one tenant each; a user's
    /// requests chained by `dependsOn`, all in one batch (more than 20 continue in the next); `beta` when a
    /// request needs it, else `v1.0`.
    static func batches(_ users: [UserRequests]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var batch: [Request] = []
        var tenant = ""
        func flush() {
            guard !batch.isEmpty else { return }
            lines.append(line(tenant: tenant, requests: batch))
            batch = []
        }
        for user in users where !user.requests.isEmpty {
            if user.tenant != tenant || batch.count + min(user.requests.count, 20) > 20 { flush() }
            tenant = user.tenant
            for (index, var request) in user.requests.enumerated() {
                if batch.count == 20 { flush() }
                // Within a batch, each after the one before; the first of a batch after nothing.
                if index > 0, let previous = batch.last, previous.id == user.requests[index - 1].id {
                    request.dependsOn = previous.id
                }
                batch.append(request)
            }
        }
        flush()
        return lines
    }

    private static func line(tenant: String, requests: [Request]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append(contentsOf: "{\"tenant\":".utf8)
        JSONWriter.appendString(tenant, to: &bytes)
        bytes.append(contentsOf: ",\"version\":\"\(requests.contains(where: \.isBeta) ? "beta" : "v1.0")\"".utf8)
        bytes.append(contentsOf: ",\"batch\":{\"requests\":[".utf8)
        for (index, request) in requests.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: "{\"id\":".utf8)
            JSONWriter.appendString(request.id, to: &bytes)
            bytes.append(contentsOf: ",\"method\":\"\(request.method)\",\"url\":".utf8)
            JSONWriter.appendString(request.url, to: &bytes)
            if let dependsOn = request.dependsOn {
                bytes.append(contentsOf: ",\"dependsOn\":[".utf8)
                JSONWriter.appendString(dependsOn, to: &bytes)
                bytes.append(UInt8(ascii: "]"))
            }
            if let body = request.body {
                bytes.append(contentsOf: ",\"headers\":{\"Content-Type\":\"application/json\"},\"body\":{".utf8)
                for (number, member) in body.enumerated() {
                    if number > 0 { bytes.append(UInt8(ascii: ",")) }
                    JSONWriter.appendKey(member.key, to: &bytes)
                    JSONWriter.appendString(member.value, to: &bytes)
                }
                bytes.append(UInt8(ascii: "}"))
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(contentsOf: "]}}\n".utf8)
        return bytes
    }
}

extension GraphRequests {
    /// The requests file of a run (`--graph-requests`): the batches of every applied change's requests, tenant by
    /// tenant and user by user in change-file order; the manual steps marked in the changes' messages.
    static func file(changeFile: ChangeFile, results: inout ChangeResults, objectIDs: [Int: String]) -> [UInt8] {
        var users: [UserRequests] = []
        var place: [String: Int] = [:]
        var tenantOrder: [String: Int] = [:]
        for (row, change) in changeFile.rows.enumerated() {
            guard var result = results[row], result.outcome == .applied else { continue }
            let request = change.request
            let user = objectIDs[row] ?? String(request.user.trimmingWhitespace)
            switch plan(for: request, result: result, user: user) {
            case .manual(let why):
                result.message = "\(manualStepPrefix)\(why); \(result.message)"
                results[row] = result
            case .requests(let requests):
                let key = "\(request.tenant)\u{0}\(request.userKey)"
                if tenantOrder[request.tenant] == nil { tenantOrder[request.tenant] = tenantOrder.count }
                if let index = place[key] {
                    users[index].requests += requests
                } else {
                    place[key] = users.count
                    users.append(UserRequests(tenant: request.tenant, requests: requests))
                }
            }
        }
        // A batch holds one tenant: the users of a tenant together, tenants in the order they first appear.
        let ordered = users.enumerated().sorted {
            (tenantOrder[$0.element.tenant]!, $0.offset) < (tenantOrder[$1.element.tenant]!, $1.offset)
        }.map(\.element)
        return batches(ordered).flatMap { $0 }
    }
}
