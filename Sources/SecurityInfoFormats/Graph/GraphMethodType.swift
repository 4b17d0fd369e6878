import Foundation
public import SecurityInfo

/// How Graph names the authentication methods (`@odata.type`, GRAPH.md §1), and the ids it fixes.
public enum GraphMethodType {
    static let prefix = "#microsoft.graph."

    /// The nine methods' types; a phone's kind depends on its `phoneType` too.
    static let phone = "phoneAuthenticationMethod"
    static let types: [MethodKind: String] = [
        .mobilePhone: phone, .alternateMobilePhone: phone, .officePhone: phone,
        .email: "emailAuthenticationMethod",
        .microsoftAuthenticator: "microsoftAuthenticatorAuthenticationMethod",
        .softwareOath: "softwareOathAuthenticationMethod",
        .hardwareOath: "hardwareOathAuthenticationMethod",
        .fido2: "fido2AuthenticationMethod",
    ]
    static let kindsByType: [String: MethodKind] = [
        "emailAuthenticationMethod": .email, "microsoftAuthenticatorAuthenticationMethod": .microsoftAuthenticator,
        "softwareOathAuthenticationMethod": .softwareOath, "hardwareOathAuthenticationMethod": .hardwareOath,
        "fido2AuthenticationMethod": .fido2,
    ]

    /// Types outside the nine that serve two-factor verification: kept, and counted by the audit as MFA methods.
    static let otherMFATypes: Set<String> = [
        "windowsHelloForBusinessAuthenticationMethod", "platformCredentialAuthenticationMethod",
    ]

    /// `phoneType` for each phone kind.
    public static let phoneTypes: [MethodKind: String] = [
        .mobilePhone: "mobile", .alternateMobilePhone: "alternateMobile", .officePhone: "office",
    ]

    /// The ids Graph gives the phone methods, one per phone type, and the email method.
    public static let fixedIDs: [MethodKind: String] = [
        .mobilePhone: "3179e48a-750b-4051-897c-87b9720928f7",
        .alternateMobilePhone: "b6332ec1-7057-4abe-9331-3d72feddfe41",
        .officePhone: "e37fc753-ff3b-4958-9484-eaa9425c82bc",
        .email: "3ddfcfc8-9383-446f-83cc-3ab9be4be18f",
    ]

    public static let hardwareOathODataType = prefix + "hardwareOathAuthenticationMethod"

    /// A path segment of a Graph URL (a user's id or UPN, a method's id): a UPN's `#` (a guest's `#EXT#`), `/`,
    /// `?`, `%` and the like escaped.
    public static func pathSegment(_ segment: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~@!$&'()*+,;=:")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }

    /// The default's value in `signInPreferences.userPreferredMethodForSecondaryAuthentication`: the same tokens.
    public static let preferredMethodKey = "userPreferredMethodForSecondaryAuthentication"
}
