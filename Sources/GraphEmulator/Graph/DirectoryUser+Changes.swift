/// The changes Graph makes to a user's methods and default, with the rules it enforces (the phone, email and
/// sign-in preference pages of api-reference/v1.0 and beta). Each returns Graph's answer; on a refusal the user is
/// unchanged.
extension DirectoryUser {
    /// `POST …/phoneMethods`: one phone of each type, an alternate only beside a mobile.
    mutating func addPhone(_ body: JSONValue?) -> GraphAnswer {
        guard let fields = body?.object else { return .badRequest("The request body must be a JSON object.") }
        guard let typeName = fields["phoneType"]?.string, let type = PhoneType(rawValue: typeName) else {
            return .badRequest("phoneType must be one of mobile, alternateMobile or office.")
        }
        guard let number = fields["phoneNumber"]?.string else { return .badRequest("phoneNumber is required.") }
        guard Self.isGraphPhoneNumber(number) else { return .badRequest(Self.phoneFormatMessage(number)) }
        guard phone(type) == nil else {
            return .badRequest("The user already has a phone method of phoneType '\(type.rawValue)'.")
        }
        if type == .alternateMobile, phone(.mobile) == nil {
            return .badRequest("An alternateMobile phone can only be added when the user has a mobile phone.")
        }
        let method = type.method(number: number)
        methods.append(method)
        return .ok(method.object, status: 201)
    }

    /// `PATCH …/phoneMethods/{id}`: a new number; a phone's type cannot change.
    mutating func updatePhone(id: String, _ body: JSONValue?) -> GraphAnswer {
        guard let type = PhoneType.allCases.first(where: { $0.methodID == id.lowercased() }),
            let position = phone(type)
        else { return .methodNotFound(id) }
        guard let fields = body?.object else { return .badRequest("The request body must be a JSON object.") }
        if let requested = fields["phoneType"], requested.string != type.rawValue {
            return .badRequest(
                "A phone's type can't be changed: add a phone of the new type and delete the one of type "
                    + "'\(type.rawValue)'.")
        }
        if let number = fields["phoneNumber"] {
            guard let number = number.string, Self.isGraphPhoneNumber(number) else {
                return .badRequest(Self.phoneFormatMessage(number.string ?? ""))
            }
            methods[position].object["phoneNumber"] = .string(number)
        }
        return .noContent
    }

    /// `POST …/emailMethods`: one email address per user.
    mutating func addEmail(_ body: JSONValue?) -> GraphAnswer {
        guard let address = body?.object?["emailAddress"]?.string, Self.isEmailAddress(address) else {
            return .badRequest("emailAddress must be an email address.")
        }
        guard !methods.contains(where: { $0.kind == .email }) else {
            return .badRequest("The user already has an email method.")
        }
        let method = AuthenticationMethod(
            object: JSONObject([
                ("@odata.type", .string("#microsoft.graph.emailAuthenticationMethod")),
                ("id", .string(emailMethodID)),
                ("emailAddress", .string(address)),
            ]))
        methods.append(method)
        return .ok(method.object, status: 201)
    }

    /// `PATCH …/emailMethods/{id}`.
    mutating func updateEmail(id: String, _ body: JSONValue?) -> GraphAnswer {
        guard let position = methods.firstIndex(where: { $0.kind == .email && $0.id.lowercased() == id.lowercased() })
        else { return .methodNotFound(id) }
        guard let address = body?.object?["emailAddress"]?.string, Self.isEmailAddress(address) else {
            return .badRequest("emailAddress must be an email address.")
        }
        methods[position].object["emailAddress"] = .string(address)
        return .noContent
    }

    /// `DELETE …/{collection}/{id}`. Graph keeps a mobile while an alternate exists, and refuses to delete the
    /// method behind the default while another method could hold one; when none could, the default goes too.
    mutating func deleteMethod(id: String, in collection: MethodCollection) -> GraphAnswer {
        guard
            let position = methods.firstIndex(where: {
                collection.holds($0.kind) && $0.id.lowercased() == id.lowercased()
            })
        else { return .methodNotFound(id) }
        let method = methods[position]
        if method.kind == .phone(.mobile), phone(.alternateMobile) != nil {
            return .badRequest(
                "The mobile phone can't be deleted while the user has an alternateMobile phone: delete the "
                    + "alternateMobile phone first.")
        }
        var remaining = methods
        remaining.remove(at: position)
        let lostDefault = defaultMethod.flatMap { $0.isBacked(by: method) && !$0.isBacked(by: remaining) ? $0 : nil }
        if let lostDefault, DefaultMethod.anyBacked(by: remaining) {
            return .badRequest(
                "This method is the user's default authentication method (\(lostDefault.rawValue)) and cannot be "
                    + "deleted until the default authentication method is changed.")
        }
        methods = remaining
        if lostDefault != nil { setDefault(nil) }
        return .noContent
    }

    /// `PATCH …/signInPreferences`: a default the user's methods back (authentication-update.md).
    mutating func updateSignInPreferences(_ body: JSONValue?) -> GraphAnswer {
        guard let fields = body?.object else { return .badRequest("The request body must be a JSON object.") }
        var updated = self
        for (key, value) in fields.members {
            switch key {
            case "userPreferredMethodForSecondaryAuthentication":
                guard let name = value.string, let method = DefaultMethod(rawValue: name) else {
                    return .badRequest(
                        "Invalid value for userPreferredMethodForSecondaryAuthentication: \(String(decoding: value.encoded, as: UTF8.self)). "
                            + "Possible values are push, oath, voiceMobile, voiceAlternateMobile, voiceOffice, sms.")
                }
                guard method.isBacked(by: methods) else {
                    return .badRequest(
                        "The user has no registered method for the default '\(name)'; register one before making it "
                            + "the default.")
                }
                updated.setDefault(method)
            case "isSystemPreferredAuthenticationMethodEnabled":
                guard let enabled = value.bool else {
                    return .badRequest("isSystemPreferredAuthenticationMethodEnabled must be true or false.")
                }
                updated.signInPreferences[key] = .bool(enabled)
            default:
                return .badRequest("Property '\(key)' does not exist on type 'microsoft.graph.signInPreferences'.")
            }
        }
        self = updated
        return .noContent
    }

    private func phone(_ type: PhoneType) -> Int? {
        methods.firstIndex { $0.kind == .phone(type) }
    }

    /// `+CC NNNN…` with an optional `xEXT` (phoneauthenticationmethod-update.md).
    static func isGraphPhoneNumber(_ number: String) -> Bool {
        let parts = number.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].hasPrefix("+") else { return false }
        let countryCode = parts[0].dropFirst()
        guard (1...3).contains(countryCode.count), countryCode.allSatisfy(\.isASCIIDigit),
            countryCode.first != "0"
        else { return false }
        let numberAndExtension = parts[1].split(separator: "x", omittingEmptySubsequences: false)
        guard numberAndExtension.count <= 2, (4...15).contains(numberAndExtension[0].count),
            numberAndExtension.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) })
        else { return false }
        return true
    }

    private static func phoneFormatMessage(_ number: String) -> String {
        "Invalid phone number '\(number)': the format is \"+{country code} {number}x{extension}\", for example "
            + "+1 5555551234 or +1 5555551234x123."
    }

    private static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(" ")
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
