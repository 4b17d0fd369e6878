import Foundation
import SecurityInfoFormats

/// Whether a request that may or may not have reached Graph (in flight when a push was killed, or in a batch
/// whose answer was lost) has had its effect, read from the user's methods and sign-in preferences as they are
/// now. A request is sent again only when its effect is not there, so none is made twice.
struct RequestEffect {
    /// The user's methods now (`GET …/authentication/methods`, beta).
    let methods: JSONDocument
    /// The user's sign-in preferences now, when a request needs them.
    let preferences: JSONDocument?

    /// `nil` when the request is of a kind whose effect cannot be read (it is then sent again).
    func isPresent(_ request: PushRequest) -> Bool? {
        let body = request.body.flatMap { try? JSONReader.read($0, path: "the request's body") }
        func bodyText(_ key: String) -> String? { body.flatMap { $0.root[key].flatMap($0.string) } }
        let path = request.url.split(separator: "?", maxSplits: 1)[0].split(separator: "/").map(String.init)
        // users, {u}, authentication, endpoint[, id]
        guard path.count >= 4, path[2] == "authentication" else { return nil }
        let endpoint = path[3]
        let id = path.count >= 5 ? path[4].removingPercentEncoding?.lowercased() : nil
        switch (request.method, endpoint) {
        case ("PATCH", "signInPreferences"):
            guard let preferences, let wanted = bodyText(GraphMethodType.preferredMethodKey) else { return nil }
            return preferences.root[GraphMethodType.preferredMethodKey].flatMap(preferences.string) == wanted
        case ("DELETE", _):
            guard let id else { return nil }
            return !methodObjects.contains { self.id(of: $0) == id }
        case ("POST", "phoneMethods"), ("PATCH", "phoneMethods"):
            guard let number = bodyText("phoneNumber") else { return nil }
            let type = bodyText("phoneType")
            return methodObjects.contains { method in
                text(method, "@odata.type") == "#microsoft.graph.phoneAuthenticationMethod"
                    && (id == nil || self.id(of: method) == id)
                    && (type == nil || text(method, "phoneType") == type)
                    && text(method, "phoneNumber").map(Self.digits) == Self.digits(number)
            }
        case ("POST", "emailMethods"), ("PATCH", "emailMethods"):
            guard let address = bodyText("emailAddress")?.lowercased() else { return nil }
            return methodObjects.contains { method in
                text(method, "@odata.type") == "#microsoft.graph.emailAuthenticationMethod"
                    && text(method, "emailAddress")?.lowercased() == address
            }
        default:
            return nil
        }
    }

    private var methodObjects: [JSONValue] {
        guard case .array(let items)? = methods.root["value"]?.kind else { return [] }
        return items
    }

    private func text(_ method: JSONValue, _ key: String) -> String? { method[key].flatMap(methods.string) }
    private func id(of method: JSONValue) -> String? { text(method, "id")?.lowercased() }

    /// A number's digits and its extension mark: `+1 4255550100` and `+14255550100` are one number.
    static func digits(_ number: String) -> String { number.filter { $0.isNumber || $0 == "x" } }
}
