import Testing

@testable import SecurityInfo

/// The values most tests share: one tenant, one user, and numbers and addresses that pass every format rule.
enum Fixture {
    static let tenant = "contoso"
    static let userName = "alice@contoso.com"
    static let mobile = "+1 4255550100"
    static let otherMobile = "+1 4255550199"
    static let alternate = "+1 4255550111"
    static let office = "+1 4255550122"
    static let email = "alice@outlook.com"
    static let otherEmail = "alice@gmail.com"
}

extension MethodInstance {
    static func mobile(_ number: String = Fixture.mobile) -> MethodInstance {
        MethodInstance(kind: .mobilePhone, value: number)
    }

    static func alternate(_ number: String = Fixture.alternate) -> MethodInstance {
        MethodInstance(kind: .alternateMobilePhone, value: number)
    }

    static func office(_ number: String = Fixture.office) -> MethodInstance {
        MethodInstance(kind: .officePhone, value: number)
    }

    static func email(_ address: String = Fixture.email) -> MethodInstance {
        MethodInstance(kind: .email, value: address)
    }

    static func authenticator(_ id: String, _ device: String = "Alice's iPhone") -> MethodInstance {
        MethodInstance(kind: .microsoftAuthenticator, id: id, value: device)
    }

    static func softwareOath(_ id: String, _ name: String = "Authy") -> MethodInstance {
        MethodInstance(kind: .softwareOath, id: id, value: name)
    }

    static func hardwareOath(_ serial: String, id: String = "") -> MethodInstance {
        MethodInstance(kind: .hardwareOath, id: id, value: serial)
    }

    static func fido2(_ id: String, _ name: String = "YubiKey") -> MethodInstance {
        MethodInstance(kind: .fido2, id: id, value: name)
    }

    static func securityQuestions(_ count: Int) -> MethodInstance {
        MethodInstance(kind: .securityQuestions, value: String(count))
    }
}

/// A user of the fixture tenant holding `methods`.
func makeUser(
    _ methods: MethodInstance..., default defaultMethod: DefaultMethod = .none, admin: Bool = false,
    name: String = Fixture.userName
) -> User {
    User(name: name, isAdmin: admin, defaultMethod: defaultMethod, methods: methods)
}

/// Change rows as a change file would give them (text only), for the fixture tenant and user.
enum Change {
    static func row(
        _ operation: String, method: String = "", methodID: String = "", value: String = "", expect: String = "",
        tenant: String = Fixture.tenant, user: String = Fixture.userName, line: Int = 2
    ) -> ChangeRequest {
        ChangeRequest(
            line: line, changeID: "c\(line)", tenant: tenant, user: user, operation: operation, method: method,
            methodID: methodID, value: value, expect: expect)
    }

    static func add(_ kind: MethodKind, _ value: String, id: String = "", expect: String = "") -> ChangeRequest {
        row("add", method: kind.rawValue, methodID: id, value: value, expect: expect)
    }

    static func edit(_ kind: MethodKind, _ value: String, expect: String = "") -> ChangeRequest {
        row("edit", method: kind.rawValue, value: value, expect: expect)
    }

    static func delete(_ kind: MethodKind, id: String = "", value: String = "", expect: String = "") -> ChangeRequest {
        row("delete", method: kind.rawValue, methodID: id, value: value, expect: expect)
    }

    static func setDefault(_ value: String, expect: String = "") -> ChangeRequest {
        row("set-default", value: value, expect: expect)
    }

    static func setDefault(_ value: DefaultMethod, expect: String = "") -> ChangeRequest {
        setDefault(value.rawValue, expect: expect)
    }

    static func requireReregister(expect: String = "") -> ChangeRequest {
        row("require-reregister", expect: expect)
    }
}

extension TenantPolicy {
    /// The built-in policy with some fields changed.
    static func with(_ configure: (inout TenantPolicy) -> Void) -> TenantPolicy {
        var policy = TenantPolicy()
        configure(&policy)
        return policy
    }

    /// The built-in policy enabling only `methods`.
    static func enabling(_ methods: PolicyMethod...) -> TenantPolicy {
        with { $0.enabledMethods = Set(methods) }
    }

    /// The built-in policy with `methods` taken out of the enabled ones.
    static func disabling(_ methods: PolicyMethod...) -> TenantPolicy {
        with { $0.enabledMethods.subtract(methods) }
    }
}

/// Runs the rule engine on one user's changes.
func evaluate(
    _ user: User?, _ changes: [ChangeRequest], policy: TenantPolicy? = TenantPolicy(), createUsers: Bool = false
) -> UserEvaluation {
    RuleEngine.evaluate(user: user, policy: policy, changes: changes, createUsers: createUsers)
}

/// Runs the rule engine on one change and returns its result and the user it left.
func evaluateOne(
    _ user: User?, _ change: ChangeRequest, policy: TenantPolicy? = TenantPolicy(), createUsers: Bool = false
) -> (result: ChangeResult, after: User?) {
    let evaluation = evaluate(user, [change], policy: policy, createUsers: createUsers)
    return (evaluation.results[0], evaluation.after)
}

/// Checks that `change` is rejected under `rule` and leaves the user as it was.
func expectRefusal(
    _ rule: RuleID, user: User?, change: ChangeRequest, policy: TenantPolicy? = TenantPolicy(),
    createUsers: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
) {
    let (result, after) = evaluateOne(user, change, policy: policy, createUsers: createUsers)
    #expect(result.outcome == .rejected, sourceLocation: sourceLocation)
    #expect(result.rule == rule, "got \(result.rule?.rawValue ?? "no rule")", sourceLocation: sourceLocation)
    #expect(after == user, sourceLocation: sourceLocation)
    #expect(result.added.isEmpty && result.deleted.isEmpty && !result.createdUser, sourceLocation: sourceLocation)
}

/// Checks that `change` comes back `unchanged`, with no rule, and leaves the user as it was.
func expectUnchanged(
    user: User?, change: ChangeRequest, policy: TenantPolicy? = TenantPolicy(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let (result, after) = evaluateOne(user, change, policy: policy)
    #expect(
        result.outcome == .unchanged, "\(result.rule?.rawValue ?? "") \(result.message)", sourceLocation: sourceLocation
    )
    #expect(result.rule == nil, sourceLocation: sourceLocation)
    #expect(after == user, sourceLocation: sourceLocation)
    #expect(result.added.isEmpty && result.deleted.isEmpty, sourceLocation: sourceLocation)
}

/// A change to try on a user under a policy, for parameterized tests; described by its label.
struct Scenario: Sendable, CustomTestStringConvertible {
    let label: String
    let user: User?
    let change: ChangeRequest
    let policy: TenantPolicy?
    let createUsers: Bool

    init(
        _ label: String, user: User?, change: ChangeRequest, policy: TenantPolicy? = TenantPolicy(),
        createUsers: Bool = false
    ) {
        self.label = label
        self.user = user
        self.change = change
        self.policy = policy
        self.createUsers = createUsers
    }

    var testDescription: String { label }
}

/// The finding IDs of a user's audit, in the order the audit gives them.
func findingIDs(_ user: User, policy: TenantPolicy = TenantPolicy()) -> [FindingID] {
    Audit.findings(for: user, policy: policy).map(\.id)
}
