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

    /// Whether a method of this kind backs this default (R-DEFAULT-BACKING): any one of them does.
    public func isBacked(by kind: MethodKind) -> Bool {
        switch self {
        case .push: kind == .microsoftAuthenticator
        case .oath: kind == .microsoftAuthenticator || kind == .softwareOath || kind == .hardwareOath
        case .sms, .voiceMobile: kind == .mobilePhone
        case .voiceAlternateMobile: kind == .alternateMobilePhone
        case .voiceOffice: kind == .officePhone
        case .none: false
        }
    }

    /// The method kinds any one of which backs this default, in `MethodKind` order.
    public var backingKinds: [MethodKind] { MethodKind.allCases.filter(isBacked(by:)) }
}
