/// One registered method of a user: its kind, the export's `method_id` (may be empty) and its value (number,
/// address, device name, serial, or the count of security questions).
public struct MethodInstance: Sendable, Hashable {
    public var kind: MethodKind
    public var id: String
    public var value: String

    public init(kind: MethodKind, id: String = "", value: String) {
        self.kind = kind
        self.id = id
        self.value = value
    }
}

/// A user's security info as an export holds it: the unit the rule engine works on.
public struct User: Sendable, Hashable {
    /// The user principal name as the export spells it.
    public var name: String
    public var isAdmin: Bool
    public var defaultMethod: DefaultMethod
    /// The methods in export order; added methods go at the end.
    public var methods: [MethodInstance]
    /// Methods outside the nine that serve two-factor verification (Graph's Windows Hello for Business and platform
    /// credentials, GRAPH.md §1): the audit counts them; no rule changes them.
    public var otherMFAMethodCount = 0

    public init(
        name: String, isAdmin: Bool = false, defaultMethod: DefaultMethod = .none, methods: [MethodInstance] = []
    ) {
        self.name = name
        self.isAdmin = isAdmin
        self.defaultMethod = defaultMethod
        self.methods = methods
    }

    /// The key users are matched by: the name without regard to case.
    public var key: String {
        // Most names are ASCII without capitals: they are their own key, with no copy made.
        name.utf8.allSatisfy { $0 < 0x80 && !(0x41...0x5A).contains($0) } ? name : name.lowercased()
    }

    /// The domain of the user principal name, lower-cased (empty when the name has no `@`).
    public var domain: String {
        guard let at = name.lastIndex(of: "@") else { return "" }
        return name[name.index(after: at)...].lowercased()
    }

    public func instances(of kind: MethodKind) -> [MethodInstance] { methods.filter { $0.kind == kind } }

    public func has(_ kind: MethodKind) -> Bool { methods.contains { $0.kind == kind } }

    /// The number of authenticator apps and hardware tokens (R-AUTHAPP-MAX-5).
    public var authenticatorAppCount: Int { methods.count { $0.kind.isAuthenticatorApp } }
}
