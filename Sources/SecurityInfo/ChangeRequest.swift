/// One row of a change file as read: text only, so that a row that makes no sense can still be reported and
/// handed back unaltered. The rule engine decides what it means (R-INPUT-ROW first).
public struct ChangeRequest: Sendable, Hashable {
    /// The line the row starts on in its file, for `line:N` names and messages.
    public var line: Int
    public var changeID: String
    public var tenant: String
    public var user: String
    public var operation: String
    public var method: String
    public var methodID: String
    public var value: String
    public var expect: String

    public init(
        line: Int, changeID: String = "", tenant: String, user: String, operation: String, method: String = "",
        methodID: String = "", value: String = "", expect: String = ""
    ) {
        self.line = line
        self.changeID = changeID
        self.tenant = tenant
        self.user = user
        self.operation = operation
        self.method = method
        self.methodID = methodID
        self.value = value
        self.expect = expect
    }

    /// The name reports give the change: its id, or `line:N` when the id is empty (SPEC.md).
    public var name: String { changeID.isEmpty ? "line:\(line)" : changeID }

    /// The key of the user the change names: users compare without regard to case.
    public var userKey: String { user.lowercased() }
}

/// What became of one change.
public enum Outcome: String, Sendable, Hashable, CaseIterable {
    case applied, unchanged, rejected, held
}

/// A piece of a user's state that a change read or wrote, for the report's `before` and `after` columns.
public enum StateFact: Sendable, Hashable {
    case method(MethodInstance)
    case defaultMethod(DefaultMethod)
}

/// The decision on one change, with what it did to the user.
public struct ChangeResult: Sendable, Hashable {
    public var outcome: Outcome
    /// The rule that decided: set for a rejection or hold, and for an applied delete that moved the default.
    public var rule: RuleID?
    /// Why, in words; never holds a phone number or an address, so that reports need not mask it.
    public var message: String
    public var before: [StateFact]
    public var after: [StateFact]
    /// One entry per method instance added or deleted, for the control totals and the delete threshold.
    public var added: [MethodKind]
    public var deleted: [MethodKind]
    /// This change created the user (`--create-users`).
    public var createdUser: Bool

    public init(
        outcome: Outcome, rule: RuleID? = nil, message: String = "", before: [StateFact] = [],
        after: [StateFact] = [], added: [MethodKind] = [], deleted: [MethodKind] = [], createdUser: Bool = false
    ) {
        self.outcome = outcome
        self.rule = rule
        self.message = message
        self.before = before
        self.after = after
        self.added = added
        self.deleted = deleted
        self.createdUser = createdUser
    }

    /// The same decision held back by R-THRESHOLD-DELETES: nothing of it takes effect.
    public func held(because message: String) -> ChangeResult {
        var result = self
        let was = outcome == .rejected ? "would be rejected (\(rule?.rawValue ?? ""))" : "would be \(outcome.rawValue)"
        result.outcome = .held
        result.rule = .thresholdDeletes
        result.message = "\(message); this change \(was)"
        result.added = []
        result.deleted = []
        result.createdUser = false
        return result
    }
}
