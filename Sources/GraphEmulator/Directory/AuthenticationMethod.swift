/// One of a user's authentication methods, as Graph returns it in `authentication/methods`: the object itself is
/// the truth, its kind read from `@odata.type` (and `phoneType`).
struct AuthenticationMethod: Sendable {
    var object: JSONObject

    var id: String { object["id"]?.string ?? "" }
    var kind: MethodKind { MethodKind(of: object) }

    /// A hardware token as the methods list shows it: Graph's `device` is a relationship, left out there.
    var listed: JSONObject {
        kind == .hardwareOath ? object.removing(["device"]) : object
    }
}

/// The method types the emulator's rules know; any other is held and returned as it was seeded.
enum MethodKind: Equatable, Sendable {
    case phone(PhoneType)
    case email
    case microsoftAuthenticator
    case softwareOath
    case hardwareOath
    case fido2
    case other

    private static let prefix = "#microsoft.graph."

    init(of object: JSONObject) {
        guard let type = object["@odata.type"]?.string, type.hasPrefix(Self.prefix) else {
            self = .other
            return
        }
        switch type.dropFirst(Self.prefix.count) {
        case "phoneAuthenticationMethod":
            self = object["phoneType"]?.string.flatMap(PhoneType.init(rawValue:)).map(MethodKind.phone) ?? .other
        case "emailAuthenticationMethod": self = .email
        case "microsoftAuthenticatorAuthenticationMethod": self = .microsoftAuthenticator
        case "softwareOathAuthenticationMethod": self = .softwareOath
        case "hardwareOathAuthenticationMethod": self = .hardwareOath
        case "fido2AuthenticationMethod": self = .fido2
        default: self = .other
        }
    }

    var isOath: Bool { self == .softwareOath || self == .hardwareOath }
}

/// A phone's type, each with the fixed id Graph gives its method (phoneauthenticationmethod-delete.md).
enum PhoneType: String, CaseIterable, Sendable {
    case mobile
    case alternateMobile
    case office

    var methodID: String {
        switch self {
        case .mobile: "3179e48a-750b-4051-897c-87b9720928f7"
        case .alternateMobile: "b6332ec1-7057-4abe-9331-3d72feddfe41"
        case .office: "e37fc753-ff3b-4958-9484-eaa9425c82bc"
        }
    }

    /// The method object Graph returns for a phone added or changed through the API.
    func method(number: String) -> AuthenticationMethod {
        AuthenticationMethod(
            object: JSONObject([
                ("@odata.type", .string("#microsoft.graph.phoneAuthenticationMethod")),
                ("id", .string(methodID)),
                ("phoneNumber", .string(number)),
                ("phoneType", .string(rawValue)),
                ("smsSignInState", .string(self == .mobile ? "notEnabled" : "notSupported")),
            ]))
    }
}

/// The email method's fixed id (emailauthenticationmethod-get.md).
let emailMethodID = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f"

extension MethodKind {
    /// Counts towards multifactor authentication in the registration report.
    var isMfa: Bool {
        switch self {
        case .phone, .microsoftAuthenticator, .softwareOath, .hardwareOath, .fido2: true
        case .email, .other: false
        }
    }

    /// The report's `methodsRegistered` name (userregistrationdetails.md).
    var registeredName: String? {
        switch self {
        case .phone(.mobile): "mobilePhone"
        case .phone(.alternateMobile): "alternateMobilePhone"
        case .phone(.office): "officePhone"
        case .email: "email"
        case .microsoftAuthenticator: "microsoftAuthenticatorPush"
        case .softwareOath: "softwareOneTimePasscode"
        case .hardwareOath: "hardwareOneTimePasscode"
        case .fido2: "fido2SecurityKey"
        case .other: nil
        }
    }
}
