/// The default sign-in method (Graph's `signInPreferences`), spelled as the formats spell it.
public enum DefaultMethod: String, CaseIterable, Sendable, Hashable {
    case push
    case oath
    case sms
    case voiceMobile
    case voiceAlternateMobile
    case voiceOffice
    case none

    /// Parses a default token without regard to case.
    public init?(token: some StringProtocol) {
        if let exact = Self(rawValue: String(token)) {
            self = exact
            return
        }
        guard let value = Self.allCases.first(where: { $0.rawValue.lowercased() == token.lowercased() }) else {
            return nil
        }
        self = value
    }

    /// The six values a batch may set, in the order R-DEFAULT-DELETE reassigns through
    /// (concept-system-preferred-multifactor-authentication.md).
    public static let settable: [DefaultMethod] = [
        .push, .oath, .sms, .voiceMobile, .voiceAlternateMobile, .voiceOffice,
    ]

    /// The method kinds any one of which backs this default (R-DEFAULT-BACKING).
    public var backingKinds: Set<MethodKind> {
        switch self {
        case .push: Self.authenticatorBacking
        case .oath: Self.oathBacking
        case .sms, .voiceMobile: Self.mobileBacking
        case .voiceAlternateMobile: Self.alternateMobileBacking
        case .voiceOffice: Self.officeBacking
        case .none: []
        }
    }

    // Built once: the audit asks for the backing of every user's default.
    private static let authenticatorBacking: Set<MethodKind> = [.microsoftAuthenticator]
    private static let oathBacking: Set<MethodKind> = [.microsoftAuthenticator, .softwareOath, .hardwareOath]
    private static let mobileBacking: Set<MethodKind> = [.mobilePhone]
    private static let alternateMobileBacking: Set<MethodKind> = [.alternateMobilePhone]
    private static let officeBacking: Set<MethodKind> = [.officePhone]
}
