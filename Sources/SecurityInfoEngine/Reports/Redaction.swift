import SecurityInfo

/// Masks phone numbers and email addresses in reports and logs unless `--reveal` (SPEC.md):
/// `+1 XXXXXXXX00`, `a***@outlook.com`. Other values (device names, serials, counts) are not personal contact
/// data and stay as they are.
struct Redaction: Sendable {
    let reveal: Bool

    func value(_ value: String, of kind: MethodKind) -> String {
        guard !reveal else { return value }
        if kind.isPhone { return ContactMask.phone(value) }
        if kind == .email { return ContactMask.email(value) }
        return value
    }

    /// A change row's cell as `changes.csv` and `report.html` echo it: `ContactMask`'s masking of cells in the
    /// wrong column, unless `--reveal`.
    func token(_ cell: String) -> String { reveal ? cell : ContactMask.echoed(cell) }
    func tenant(_ cell: String) -> String { reveal ? cell : ContactMask.echoed(tenant: cell) }
    func identity(_ cell: String) -> String { reveal ? cell : ContactMask.echoed(identity: cell) }

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
public func spreadsheetSafe(_ cell: String) -> String {
    guard let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return cell }
    return "'" + cell
}
