/// The per-type method collections under `/users/{u}/authentication/` that the emulator serves.
enum MethodCollection: String, CaseIterable, Sendable {
    case phoneMethods
    case emailMethods
    case microsoftAuthenticatorMethods
    case softwareOathMethods
    case fido2Methods
    /// Beta only (authentication-list-hardwareoathmethods.md); its items carry `device` expanded.
    case hardwareOathMethods

    func holds(_ kind: MethodKind) -> Bool {
        switch (self, kind) {
        case (.phoneMethods, .phone): true
        case (.emailMethods, .email): true
        case (.microsoftAuthenticatorMethods, .microsoftAuthenticator): true
        case (.softwareOathMethods, .softwareOath): true
        case (.fido2Methods, .fido2): true
        case (.hardwareOathMethods, .hardwareOath): true
        default: false
        }
    }

    var isBetaOnly: Bool { self == .hardwareOathMethods }

    /// How an item of this collection is shown: a hardware token with its `device` in its own list.
    func shown(_ method: AuthenticationMethod) -> JSONObject {
        self == .hardwareOathMethods ? method.object : method.listed
    }
}
