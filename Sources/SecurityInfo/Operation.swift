/// A bulk operation of the change file (RULES.md section 2).
public enum Operation: String, CaseIterable, Sendable {
    case add
    case edit
    case delete
    case setDefault = "set-default"
    case requireReregister = "require-reregister"

    /// Parses an operation token without regard to case.
    public init?(token: some StringProtocol) {
        guard let value = Self.allCases.first(where: { $0.rawValue == token.lowercased() }) else { return nil }
        self = value
    }

    /// Operations that name a method in the change file's `method` column.
    public var namesMethod: Bool {
        switch self {
        case .add, .edit, .delete: true
        case .setDefault, .requireReregister: false
        }
    }
}
