/// `userPreferredMethodForSecondaryAuthentication`: the default MFA method Graph takes in `signInPreferences`
/// (signinpreferences.md; `unknownFutureValue` is not one a client sets).
enum DefaultMethod: String, CaseIterable, Sendable {
    case push
    case oath
    case sms
    case voiceMobile
    case voiceAlternateMobile
    case voiceOffice

    /// Whether the method can back this default: the Authenticator for push; for oath an OATH token or the
    /// Authenticator, whose app gives the same time-based codes (RULES.md's R-DEFAULT-BACKING); the phone of the
    /// matching type for the others.
    func isBacked(by method: AuthenticationMethod) -> Bool {
        let kind = method.kind
        switch self {
        case .push: return kind == .microsoftAuthenticator
        case .oath: return kind.isOath || kind == .microsoftAuthenticator
        case .sms, .voiceMobile: return kind == .phone(.mobile)
        case .voiceAlternateMobile: return kind == .phone(.alternateMobile)
        case .voiceOffice: return kind == .phone(.office)
        }
    }

    func isBacked(by methods: [AuthenticationMethod]) -> Bool {
        methods.contains(where: isBacked(by:))
    }

    /// Whether any of the methods could hold some default.
    static func anyBacked(by methods: [AuthenticationMethod]) -> Bool {
        allCases.contains { $0.isBacked(by: methods) }
    }
}
