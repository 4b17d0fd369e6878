/// A kind of authentication method, spelled as the export and change formats spell it (RULES.md section 1).
public enum MethodKind: String, CaseIterable, Sendable, Hashable, Comparable {
    case microsoftAuthenticator
    case softwareOath
    case hardwareOath
    case mobilePhone
    case alternateMobilePhone
    case officePhone
    case email
    case securityQuestions
    case fido2

    /// Parses a method token without regard to case, as RULES.md says tokens compare.
    public init?(token: some StringProtocol) {
        if let exact = Self(rawValue: String(token)) {
            self = exact
        } else if let kind = Self.byLowercasedToken[token.lowercased()] {
            self = kind
        } else {
            return nil
        }
    }

    private static let byLowercasedToken: [String: MethodKind] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0.rawValue.lowercased(), $0) })

    /// The method serves two-factor verification.
    public var servesMFA: Bool {
        switch self {
        case .email, .securityQuestions: false
        default: true
        }
    }

    /// The method serves self-service password reset (security questions only above a count: see `Audit`).
    public var servesSSPR: Bool {
        switch self {
        case .alternateMobilePhone, .fido2: false
        default: true
        }
    }

    /// A user may hold several instances (authenticator apps, tokens, security keys); the rest are 0 or 1.
    public var allowsManyInstances: Bool {
        switch self {
        case .microsoftAuthenticator, .softwareOath, .hardwareOath, .fido2: true
        default: false
        }
    }

    /// An admin may `add` it (RULES.md section 2); the others are registered by the user on a device
    /// (R-ADD-USER-ONLY). These are also the kinds whose values the format rules check.
    public var isAddableByAdmin: Bool {
        switch self {
        case .mobilePhone, .alternateMobilePhone, .officePhone, .email, .hardwareOath: true
        default: false
        }
    }

    /// An admin may `edit` its value (RULES.md section 2, R-EDIT-UNSUPPORTED): the phones and email.
    public var isEditableByAdmin: Bool { isPhone || self == .email }

    /// One of the three phone kinds, whose values are phone numbers.
    public var isPhone: Bool {
        switch self {
        case .mobilePhone, .alternateMobilePhone, .officePhone: true
        default: false
        }
    }

    /// Counts toward the five authenticator apps and tokens of R-AUTHAPP-MAX-5.
    public var isAuthenticatorApp: Bool {
        switch self {
        case .microsoftAuthenticator, .softwareOath, .hardwareOath: true
        default: false
        }
    }

    /// The kind's place in `allCases`, the order RULES.md lists them in.
    public var ordinal: Int {
        switch self {
        case .microsoftAuthenticator: 0
        case .softwareOath: 1
        case .hardwareOath: 2
        case .mobilePhone: 3
        case .alternateMobilePhone: 4
        case .officePhone: 5
        case .email: 6
        case .securityQuestions: 7
        case .fido2: 8
        }
    }

    public static func < (lhs: MethodKind, rhs: MethodKind) -> Bool { lhs.ordinal < rhs.ordinal }
}
