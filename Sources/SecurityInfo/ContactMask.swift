/// How a phone number or an email address is shown where it may not be read (SPEC.md): `+1 XXXXXXXX00`,
/// `a***@outlook.com`. Reports mask methods' values with it unless `--reveal`; messages and errors mask with it
/// whatever a cell in the wrong column echoes, since shifted columns put numbers and addresses where a token, a
/// tenant or a flag belongs.
public enum ContactMask {
    /// Every digit but the country code and the last two becomes `X`; an extension is masked whole.
    public static func phone(_ value: String) -> String {
        if let number = try? PhoneNumber(parsing: value) {
            let subscriber = String(repeating: "X", count: number.subscriber.count - 2) + number.subscriber.suffix(2)
            let phoneExtension = number.phoneExtension.map { "x" + String(repeating: "X", count: $0.count) } ?? ""
            return "+\(number.countryCode) \(subscriber)\(phoneExtension)"
        }
        // Not a valid number: keep only its last two digits.
        let digitCount = value.count(where: \.isNumber)
        var seen = 0
        return String(
            value.map { character in
                guard character.isNumber else { return character }
                seen += 1
                return seen > digitCount - 2 ? character : "X"
            })
    }

    /// The first character of the local part, then `***@` and the domain.
    public static func email(_ value: String) -> String {
        guard let at = value.lastIndex(of: "@"), at > value.startIndex else { return "***" }
        return "\(value[value.startIndex])***\(value[at...])"
    }

    /// Whether a text could be a phone number: five digits or more, and nothing a number is not written with.
    public static func looksLikePhone(_ value: some StringProtocol) -> Bool {
        var digits = 0
        for scalar in value.unicodeScalars {
            if ("0"..."9").contains(scalar) {
                digits += 1
            } else if !" +().-/xX\t".unicodeScalars.contains(scalar) {
                return false
            }
        }
        return digits >= 5
    }

    /// A cell echoed where a token or flag was expected (a method, an operation, `admin`, a default): masked as a
    /// phone number or an address when it could be one, else as it is, so that a typo stays readable.
    public static func echoed(_ value: some StringProtocol) -> String {
        let text = String(value)
        if text.contains("@") { return email(text) }
        return looksLikePhone(text) ? phone(text) : text
    }

    /// A tenant cell echoed: as it is when it is a tenant id (which holds no `@`, `+` or space), else as `echoed`.
    public static func echoed(tenant: some StringProtocol) -> String {
        TenantID.isValid(String(tenant)) ? String(tenant) : echoed(tenant)
    }

    /// A cell that names someone or something by an identity that may hold an `@` (a user's UPN, a change id like
    /// `alice@contoso.com/mobilePhone/edit`): masked only when it could be a phone number.
    public static func echoed(identity: some StringProtocol) -> String {
        looksLikePhone(identity) ? phone(String(identity)) : String(identity)
    }

    /// Free text from elsewhere (an error message Graph wrote): each word holding an `@` masked as an address, each
    /// run of words written only with what a phone number is written with, five digits or more in all, masked as
    /// a number.
    public static func text(_ value: String) -> String {
        var words: [String] = []
        var run: [Substring] = []
        func endRun() {
            guard !run.isEmpty else { return }
            let joined = run.joined(separator: " ")
            if joined.count(where: \.isNumber) >= 5 { words.append(phone(joined)) } else { words.append(joined) }
            run = []
        }
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if word.contains("@") {
                endRun()
                words.append(email(String(word)))
            } else if !word.isEmpty, word.allSatisfy({ "0123456789+().-/xX".contains($0) }),
                word.contains(where: \.isNumber)
            {
                run.append(word)
            } else {
                endRun()
                words.append(String(word))
            }
        }
        endRun()
        return words.joined(separator: " ")
    }
}
