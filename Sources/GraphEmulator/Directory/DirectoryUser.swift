/// A user in an emulated tenant: who they are, their sign-in preferences and their methods in the order held.
struct DirectoryUser: Sendable {
    let id: String
    let userPrincipalName: String
    let isAdmin: Bool
    /// Graph's `signInPreferences` object, as seeded or as changed by PATCH.
    var signInPreferences: JSONObject
    var methods: [AuthenticationMethod]

    /// `signInPreferences` for a user the export gave none.
    static let defaultSignInPreferences = JSONObject([
        ("isSystemPreferredAuthenticationMethodEnabled", .bool(false)),
        ("userPreferredMethodForSecondaryAuthentication", .null),
        ("systemPreferredAuthenticationMethod", .null),
    ])

    /// The current default, nil for none (null, absent, or a value Graph would not take).
    var defaultMethod: DefaultMethod? {
        signInPreferences["userPreferredMethodForSecondaryAuthentication"]?.string.flatMap(DefaultMethod.init)
    }

    mutating func setDefault(_ method: DefaultMethod?) {
        signInPreferences["userPreferredMethodForSecondaryAuthentication"] =
            method.map { .string($0.rawValue) } ?? .null
    }
}
