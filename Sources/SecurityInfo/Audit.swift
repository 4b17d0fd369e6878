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
        var findings: [Finding] = []
        let enabled = user.methods.filter { policy.enables($0.kind) }

        if !enabled.contains(where: { $0.kind.servesMFA }) {
            findings.append(Finding(.noMFA, "no enabled two-factor method"))
        }

        let ssprKinds = Set(enabled.filter { countsForSSPR($0, user: user, policy: policy) }.map(\.kind))
        let required = user.isAdmin ? 2 : policy.ssprMethodsRequired
        if ssprKinds.count < required {
            findings.append(Finding(.ssprShort, "\(ssprKinds.count) of \(required) password-reset methods"))
        }

        let current = user.defaultMethod
        if current != .none && !RuleEngine.isBacked(current, in: user, policy: policy) {
            let reason = policy.enables(current) ? "no enabled method backs it" : "its channel is disabled"
            findings.append(Finding(.defaultInvalid, "default \(current.rawValue): \(reason)"))
        }

        for kind in Set(user.methods.map(\.kind)).sorted() where !policy.enables(kind) {
            findings.append(Finding(.methodDisabled, "\(kind.rawValue) is not enabled by the policy"))
        }

        if user.isAdmin && user.has(.securityQuestions) {
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
        for kind in MethodKind.allCases where !kind.allowsManyInstances && user.instances(of: kind).count > 1 {
            problems.append("\(user.instances(of: kind).count) × \(kind.rawValue), at most one allowed")
        }
        if user.has(.alternateMobilePhone) && !user.has(.mobilePhone) {
            problems.append("\(RuleID.phoneAlternateRequiresMobile.rawValue): alternateMobilePhone without mobilePhone")
        }
        if user.authenticatorAppCount > 5 {
            problems.append(
                "\(RuleID.authenticatorAppMax5.rawValue): \(user.authenticatorAppCount) authenticator apps and tokens")
        }
        for method in user.methods {
            switch method.kind {
            case .mobilePhone, .alternateMobilePhone, .officePhone, .email, .hardwareOath:
                do { _ = try RuleEngine.checkValue(method.value, of: method.kind, user: user, policy: policy) } catch {
                    problems.append("\(error.rule.rawValue): the \(method.kind.rawValue) value is not valid")
                }
            case .securityQuestions:
                if Int(method.value).map({ $0 < 0 }) ?? true {
                    problems.append("securityQuestions value must be the count registered")
                }
            case .microsoftAuthenticator, .softwareOath, .fido2:
                break
            }
        }
        return problems
    }
}
