/// A finding about one user's state (RULES.md, Findings): reported, never blocking.
public struct Finding: Sendable, Hashable {
    public var id: FindingID
    /// What in particular; never holds a phone number or an address.
    public var detail: String

    public init(_ id: FindingID, _ detail: String) {
        self.id = id
        self.detail = detail
    }
}

/// The audit of a user's state under the tenant's policy: the findings of RULES.md, in their table's order. It reads
/// a `UserSummary` only, whether the user was decoded or summarised from an export's bytes.
public enum Audit {
    public static func findings(for user: User, policy: TenantPolicy) -> [Finding] {
        findings(for: UserSummary(user, policy: policy), policy: policy)
    }

    public static func findings(for user: UserSummary, policy: TenantPolicy) -> [Finding] {
        var enabledMFA = user.otherMFAMethodCount > 0
        var ssprKinds = MethodKindBits()
        for kind in MethodKind.allCases where user.holds(kind) && policy.enables(kind) {
            if kind.servesMFA { enabledMFA = true }
            if countsForSSPR(kind, user: user, policy: policy) { ssprKinds.insert(kind) }
        }
        var findings: [Finding] = []

        if !enabledMFA {
            findings.append(Finding(.noMFA, "no enabled two-factor method"))
        }

        let required = user.isAdmin ? 2 : policy.ssprMethodsRequired
        if ssprKinds.count < required {
            findings.append(Finding(.ssprShort, "\(ssprKinds.count) of \(required) password-reset methods"))
        }

        let current = user.defaultMethod
        if current != .none && !RuleEngine.isBacked(current, holds: user.holds, policy: policy) {
            let reason = policy.enables(current) ? "no enabled method backs it" : "its channel is disabled"
            findings.append(Finding(.defaultInvalid, "default \(current.rawValue): \(reason)"))
        }

        for kind in MethodKind.allCases where user.holds(kind) && !policy.enables(kind) {
            findings.append(Finding(.methodDisabled, "\(kind.rawValue) is not enabled by the policy"))
        }

        if user.isAdmin && user.holds(.securityQuestions) {
            findings.append(Finding(.securityQuestionsAdmin, "an admin holds security questions"))
        }

        for problem in stateProblems(of: user) {
            findings.append(Finding(.stateInvalid, problem))
        }
        return findings
    }

    /// Security questions count for SSPR only at or above `registerCount`, and never for an admin.
    private static func countsForSSPR(_ kind: MethodKind, user: UserSummary, policy: TenantPolicy) -> Bool {
        guard kind.servesSSPR else { return false }
        guard kind == .securityQuestions else { return true }
        guard !user.isAdmin, let count = user.securityQuestionsCount else { return false }
        return count >= policy.securityQuestionsRegisterCount
    }

    /// Where the export itself breaks a rule a change would have to keep, each named by its rule ID.
    static func stateProblems(of user: UserSummary) -> [String] {
        var problems: [String] = []
        let counts = user.methodCounts
        for kind in MethodKind.allCases where !kind.allowsManyInstances && counts[kind] > 1 {
            problems.append("\(counts[kind]) × \(kind.rawValue), at most one allowed")
        }
        if counts[.alternateMobilePhone] > 0 && counts[.mobilePhone] == 0 {
            problems.append("\(RuleID.phoneAlternateRequiresMobile.rawValue): alternateMobilePhone without mobilePhone")
        }
        let authenticatorApps = MethodKind.allCases.reduce(0) { $0 + ($1.isAuthenticatorApp ? counts[$1] : 0) }
        if authenticatorApps > 5 {
            problems.append(
                "\(RuleID.authenticatorAppMax5.rawValue): \(authenticatorApps) authenticator apps and tokens")
        }
        for problem in user.valueProblems {
            if let rule = problem.rule {
                problems.append("\(rule.rawValue): the \(problem.kind.rawValue) value is not valid")
            } else {
                problems.append("securityQuestions value must be the count registered")
            }
        }
        return problems
    }
}

/// A set of method kinds as bits: no allocation, for the audit's per-user bookkeeping.
struct MethodKindBits {
    private var bits: UInt16 = 0
    mutating func insert(_ kind: MethodKind) { bits |= 1 << kind.ordinal }
    func contains(_ kind: MethodKind) -> Bool { bits & (1 << kind.ordinal) != 0 }
    var count: Int { bits.nonzeroBitCount }
}
