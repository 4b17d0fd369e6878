import SecurityInfo

/// Masks phone numbers and email addresses in reports and logs unless `--reveal` (SPEC.md):
/// `+1 XXXXXXXX00`, `a***@outlook.com`. Other values (device names, serials, counts) are not personal contact
/// data and stay as they are.
struct Redaction: Sendable {
    let reveal: Bool

    func value(_ value: String, of kind: MethodKind) -> String {
        guard !reveal else { return value }
        if kind.isPhone { return Self.maskPhone(value) }
        if kind == .email { return Self.maskEmail(value) }
        return value
    }

    /// Every digit but the country code and the last two becomes `X`; an extension is masked whole.
    static func maskPhone(_ value: String) -> String {
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
    static func maskEmail(_ value: String) -> String {
        guard let at = value.lastIndex(of: "@"), at > value.startIndex else { return "***" }
        return "\(value[value.startIndex])***\(value[at...])"
    }

    /// A state fact as the `before` and `after` columns show it: the value alone for the change's own method,
    /// `kind:value` for another, `default:token` for the default.
    func describe(_ facts: [StateFact], method: MethodKind?) -> String {
        facts.map { fact in
            switch fact {
            case .method(let instance):
                let shown = value(instance.value, of: instance.kind)
                return instance.kind == method ? shown : "\(instance.kind.rawValue):\(shown)"
            case .defaultMethod(let defaultMethod):
                return "default:\(defaultMethod.rawValue)"
            }
        }.joined(separator: "; ")
    }
}

/// A report cell a spreadsheet will not run as a formula: one starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'` (OWASP "CSV injection").
func spreadsheetSafe(_ cell: String) -> String {
    guard let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return cell }
    return "'" + cell
}
