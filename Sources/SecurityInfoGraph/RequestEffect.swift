import Foundation
import SecurityInfo
import SecurityInfoFormats

/// Which of a user's requests that may or may not have reached Graph (in flight when a push was killed, or in a
/// batch whose answer was lost) were made, read from the user's methods and sign-in preferences as they are now.
///
/// The requests are a chain (each `dependsOn` the one before), so those made are a prefix of them. For each
/// prefix, from the longest down, the state it would leave is compared with the state now, on what the requests
/// touch: a method by its id (a phone's and the email's ids are fixed), present with its value or absent, and
/// the default. The state before the chain is read off the requests themselves: a `POST` adds what was not
/// there, a `PATCH` or `DELETE` changes what was. The longest prefix that fits is taken as made: when several
/// fit (an email added and deleted again leaves the user as before), the state now is the same either way, and no
/// request is ever sent twice.
struct RequestEffect {
    /// The user's methods now (`GET …/authentication/methods`, beta).
    let methods: JSONDocument
    /// The user's sign-in preferences now, when a request needs them.
    let preferences: JSONDocument?

    /// The default's key beside the methods' ids (which hold no NUL).
    private static let defaultKey = "\u{0}default"

    /// What a request leaves of one thing it touches.
    private enum Value: Equatable {
        case absent
        /// Present; its value (a phone's digits, an address in lower case) unless unknown.
        case present(String?)
        case defaultMethod(String)
    }

    /// How many of the chain's requests were made (from the first), or nil when no prefix fits the state now
    /// (someone else changed the user meanwhile).
    func madePrefix(of requests: [PushRequest]) -> Int? {
        let touches = requests.map(touch)
        var before: [String: Value] = [:]
        for (request, touch) in zip(requests, touches) {
            guard let (key, value) = touch, before[key] == nil else { continue }
            // A POST adds what was not there; anything else changes what was. A default's old value is unknown,
            // so the default is compared only once a request of the prefix has set it.
            if case .defaultMethod = value { continue }
            before[key] = request.method == "POST" ? .absent : .present(nil)
        }
        let now = observed()
        for made in stride(from: requests.count, through: 0, by: -1) {
            var state = before
            for case (let key, let value)? in touches.prefix(made) { state[key] = value }
            let fits = state.allSatisfy { key, value in
                switch (value, now[key]) {
                case (.absent, nil), (.present(nil), .present?): true
                case (.present(let wanted?), .present(let actual)?): wanted == actual
                case (.defaultMethod(let wanted), let actual): preferences == nil || actual == .defaultMethod(wanted)
                default: false
                }
            }
            if fits { return made }
        }
        return nil
    }

    /// The thing a request touches and what it leaves of it; nil for a request of a kind not read here.
    private func touch(_ request: PushRequest) -> (key: String, value: Value)? {
        let body = request.body.flatMap { try? JSONReader.read($0, path: "the request's body") }
        func bodyText(_ key: String) -> String? { body.flatMap { $0.root[key].flatMap($0.string) } }
        let path = request.url.split(separator: "?", maxSplits: 1)[0].split(separator: "/").map(String.init)
        // users, {u}, authentication, endpoint[, id]
        guard path.count >= 4, path[2] == "authentication" else { return nil }
        let endpoint = path[3]
        let id = path.count >= 5 ? path[4].removingPercentEncoding?.lowercased() : nil
        switch (request.method, endpoint, id) {
        case ("PATCH", "signInPreferences", nil):
            return bodyText(GraphMethodType.preferredMethodKey).map { (Self.defaultKey, .defaultMethod($0)) }
        case ("DELETE", _, let id?):
            return (id, .absent)
        case ("POST", "phoneMethods", nil):
            guard let type = bodyText("phoneType"),
                let kind = GraphMethodType.phoneTypes.first(where: { $0.value == type })?.key,
                let fixed = GraphMethodType.fixedIDs[kind]
            else { return nil }
            return (fixed, .present(bodyText("phoneNumber").map(Self.digits)))
        case ("PATCH", "phoneMethods", let id?):
            return (id, .present(bodyText("phoneNumber").map(Self.digits)))
        case ("POST", "emailMethods", nil):
            return (GraphMethodType.fixedIDs[.email]!, .present(bodyText("emailAddress")?.lowercased()))
        case ("PATCH", "emailMethods", let id?):
            return (id, .present(bodyText("emailAddress")?.lowercased()))
        default:
            return nil
        }
    }

    /// The user's methods by id, and the default, as they are now.
    private func observed() -> [String: Value] {
        var state: [String: Value] = [:]
        if case .array(let items)? = methods.root["value"]?.kind {
            for method in items {
                guard let id = method["id"].flatMap(methods.string)?.lowercased() else { continue }
                if let number = method["phoneNumber"].flatMap(methods.string) {
                    state[id] = .present(Self.digits(number))
                } else if let address = method["emailAddress"].flatMap(methods.string) {
                    state[id] = .present(address.lowercased())
                } else {
                    state[id] = .present("")
                }
            }
        }
        if let preferences, let value = preferences.root[GraphMethodType.preferredMethodKey].flatMap(preferences.string)
        {
            state[Self.defaultKey] = .defaultMethod(value)
        }
        return state
    }

    /// A number's digits and its extension mark: `+1 4255550100` and `+14255550100` are one number.
    static func digits(_ number: String) -> String { number.filter { $0.isNumber || $0 == "x" } }
}
