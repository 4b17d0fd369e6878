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
        case .push: [.microsoftAuthenticator]
        case .oath: [.microsoftAuthenticator, .softwareOath, .hardwareOath]
        case .sms, .voiceMobile: [.mobilePhone]
        case .voiceAlternateMobile: [.alternateMobilePhone]
        case .voiceOffice: [.officePhone]
        case .none: []
        }
    }
}
