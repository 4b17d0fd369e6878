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

/// The audit of a user's state under the tenant's policy: the findings of RULES.md, in their table's order.
public enum Audit {
    public static func findings(for user: User, policy: TenantPolicy) -> [Finding] {
        // One walk over the methods, into bits per kind: the audit runs for every user of every export.
        var held = MethodKindBits()
        var enabledMFA = user.otherMFAMethodCount > 0
        var ssprKinds = MethodKindBits()
        for method in user.methods {
            held.insert(method.kind)
            guard policy.enables(method.kind) else { continue }
            if method.kind.servesMFA { enabledMFA = true }
            if countsForSSPR(method, user: user, policy: policy) { ssprKinds.insert(method.kind) }
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
        if current != .none && !RuleEngine.isBacked(current, in: user, policy: policy) {
            let reason = policy.enables(current) ? "no enabled method backs it" : "its channel is disabled"
            findings.append(Finding(.defaultInvalid, "default \(current.rawValue): \(reason)"))
        }

        for kind in MethodKind.allCases where held.contains(kind) && !policy.enables(kind) {
            findings.append(Finding(.methodDisabled, "\(kind.rawValue) is not enabled by the policy"))
        }

        if user.isAdmin && held.contains(.securityQuestions) {
            findings.append(Finding(.securityQuestionsAdmin, "an admin holds security questions"))
        }

        for problem in stateProblems(of: user, policy: policy) {
            findings.append(Finding(.stateInvalid, problem))
        }
        return findings
    }

    /// Security questions count for SSPR only at or above `registerCount`, and never for an admin.
    private static func countsForSSPR(_ method: MethodInstance, user: User, policy: TenantPolicy) -> Bool {
        guard method.kind.servesSSPR else { return false }
        guard method.kind == .securityQuestions else { return true }
        guard !user.isAdmin, let count = Int(method.value) else { return false }
        return count >= policy.securityQuestionsRegisterCount
    }

    /// Where the export itself breaks a rule a change would have to keep, each named by its rule ID.
    static func stateProblems(of user: User, policy: TenantPolicy) -> [String] {
        var problems: [String] = []
        var counts = InlineArray<9, Int>(repeating: 0)
        for method in user.methods { counts[method.kind.ordinal] += 1 }
        for kind in MethodKind.allCases where !kind.allowsManyInstances && counts[kind.ordinal] > 1 {
            problems.append("\(counts[kind.ordinal]) × \(kind.rawValue), at most one allowed")
        }
        if counts[MethodKind.alternateMobilePhone.ordinal] > 0 && counts[MethodKind.mobilePhone.ordinal] == 0 {
            problems.append("\(RuleID.phoneAlternateRequiresMobile.rawValue): alternateMobilePhone without mobilePhone")
        }
        let authenticatorApps = MethodKind.allCases.reduce(0) { $0 + ($1.isAuthenticatorApp ? counts[$1.ordinal] : 0) }
        if authenticatorApps > 5 {
            problems.append(
                "\(RuleID.authenticatorAppMax5.rawValue): \(authenticatorApps) authenticator apps and tokens")
        }
        for method in user.methods {
            if method.kind.isAddableByAdmin {
                do { try RuleEngine.validateValue(method.value, of: method.kind, user: user, policy: policy) } catch {
                    problems.append("\(error.rule.rawValue): the \(method.kind.rawValue) value is not valid")
                }
            } else if method.kind == .securityQuestions && Int(method.value).map({ $0 < 0 }) ?? true {
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
