import Testing

@testable import SecurityInfo

/// R-DEFAULT-DELETE: a delete that takes away the method behind the current default, under both policies.
@Suite("R-DEFAULT-DELETE")
struct DefaultDeleteTests {
    struct Reassignment: Sendable, CustomTestStringConvertible {
        let label: String
        let user: User
        let change: ChangeRequest
        let policy: TenantPolicy
        let expected: DefaultMethod
        var testDescription: String { label }

        init(
            _ label: String, _ user: User, _ change: ChangeRequest, policy: TenantPolicy = TenantPolicy(),
            expected: DefaultMethod
        ) {
            self.label = label
            self.user = user
            self.change = change
            self.policy = policy
            self.expected = expected
        }
    }

    static let reassignments: [Reassignment] = [
        Reassignment(
            "sms → push when the mobilePhone goes, though the tenant does not enable sms",
            makeUser(.mobile(), .authenticator("a1"), default: .sms), Change.delete(.mobilePhone),
            policy: .disabling(.sms), expected: .push),
        Reassignment(
            "voiceOffice → none when the officePhone goes, though the tenant does not allow office phones",
            makeUser(.office(), .email(), default: .voiceOffice), Change.delete(.officePhone),
            policy: .with { $0.officePhoneAllowed = false }, expected: .none),
        Reassignment(
            "push → oath (softwareOath left)",
            makeUser(.authenticator("a1"), .softwareOath("s1"), .mobile(), .office(), default: .push),
            Change.delete(.microsoftAuthenticator), expected: .oath),
        Reassignment(
            "push → sms before the voice defaults",
            makeUser(.authenticator("a1"), .office(), .mobile(), .alternate(), default: .push),
            Change.delete(.microsoftAuthenticator), expected: .sms),
        Reassignment(
            "push → voiceMobile when sms is disabled",
            makeUser(.authenticator("a1"), .mobile(), .office(), default: .push),
            Change.delete(.microsoftAuthenticator), policy: .disabling(.sms), expected: .voiceMobile),
        Reassignment(
            "push → voiceAlternateMobile with only an alternate left",
            makeUser(.authenticator("a1"), .alternate(), .office(), default: .push),
            Change.delete(.microsoftAuthenticator), expected: .voiceAlternateMobile),
        Reassignment(
            "push → voiceOffice", makeUser(.authenticator("a1"), .office(), .email(), default: .push),
            Change.delete(.microsoftAuthenticator), expected: .voiceOffice),
        Reassignment(
            "push → none when officePhoneAllowed is false",
            makeUser(.authenticator("a1"), .office(), default: .push), Change.delete(.microsoftAuthenticator),
            policy: .with { $0.officePhoneAllowed = false }, expected: .none),
        Reassignment(
            "push → none with only email, questions and a security key left",
            makeUser(.authenticator("a1"), .email(), .securityQuestions(3), .fido2("f1"), default: .push),
            Change.delete(.microsoftAuthenticator), expected: .none),
        Reassignment(
            "push → sms past a disabled softwareOath",
            makeUser(.authenticator("a1"), .softwareOath("s1"), .mobile(), default: .push),
            Change.delete(.microsoftAuthenticator), policy: .disabling(.softwareOath), expected: .sms),
        Reassignment(
            "sms → push", makeUser(.mobile(), .authenticator("a1"), default: .sms), Change.delete(.mobilePhone),
            expected: .push),
        Reassignment(
            "voiceMobile → oath", makeUser(.mobile(), .hardwareOath("HW-1"), default: .voiceMobile),
            Change.delete(.mobilePhone), expected: .oath),
        Reassignment(
            "voiceAlternateMobile → sms",
            makeUser(.mobile(), .alternate(), .office(), default: .voiceAlternateMobile),
            Change.delete(.alternateMobilePhone), expected: .sms),
        Reassignment(
            "oath → voiceOffice (the last token deleted by serial)",
            makeUser(.hardwareOath("HW-1"), .office(), default: .oath), Change.delete(.hardwareOath, value: "HW-1"),
            expected: .voiceOffice),
        Reassignment(
            "voiceOffice → oath", makeUser(.office(), .hardwareOath("HW-1"), default: .voiceOffice),
            Change.delete(.officePhone), expected: .oath),
    ]

    @Test("R-DEFAULT-DELETE, reassign: the delete applies and the default moves on", arguments: reassignments)
    func reassign(scenario: Reassignment) throws {
        #expect(scenario.policy.onDefaultDelete == .reassign)
        let (result, after) = evaluateOne(scenario.user, scenario.change, policy: scenario.policy)
        #expect(result.outcome == .applied)
        #expect(result.rule == .defaultDelete)
        let user = try #require(after)
        #expect(user.defaultMethod == scenario.expected)
        let kind = try #require(MethodKind(token: scenario.change.method))
        #expect(!user.has(kind))
        #expect(result.deleted == [kind])
        #expect(result.before.contains(.defaultMethod(scenario.user.defaultMethod)))
        #expect(result.after.contains(.defaultMethod(scenario.expected)))
        #expect(result.message.contains(scenario.expected.rawValue), "the row says where the default went")
    }

    @Test(
        "R-DEFAULT-DELETE: a delete that leaves the default backed does not name the rule",
        arguments: [
            Scenario(
                "one of two authenticators", user: makeUser(.authenticator("a1"), .authenticator("a2"), default: .push),
                change: Change.delete(.microsoftAuthenticator, id: "a1")),
            Scenario(
                "oath keeps a softwareOath", user: makeUser(.authenticator("a1"), .softwareOath("s1"), default: .oath),
                change: Change.delete(.microsoftAuthenticator)),
            Scenario(
                "a phone that is not the default", user: makeUser(.mobile(), .office(), default: .sms),
                change: Change.delete(.officePhone)),
            Scenario(
                "no default", user: makeUser(.authenticator("a1"), .mobile()),
                change: Change.delete(.microsoftAuthenticator)),
            Scenario(
                "oath keeps a softwareOath the tenant does not enable",
                user: makeUser(.hardwareOath("HW-1"), .softwareOath("s1"), .mobile(), default: .oath),
                change: Change.delete(.hardwareOath), policy: .disabling(.softwareOath)),
            Scenario(
                "oath keeps an authenticator the tenant does not enable",
                user: makeUser(.authenticator("a1"), .softwareOath("s1"), .mobile(), default: .oath),
                change: Change.delete(.softwareOath), policy: .disabling(.microsoftAuthenticator)),
            Scenario(
                "a default that nothing backed before the delete",
                user: makeUser(.mobile(), .email(), default: .push), change: Change.delete(.email)),
        ])
    func defaultStays(scenario: Scenario) throws {
        let policy = try #require(scenario.policy)
        for policy in [
            policy,
            .with {
                $0 = policy; $0.onDefaultDelete = .reject
            },
        ] {
            let (result, after) = evaluateOne(scenario.user, scenario.change, policy: policy)
            #expect(result.outcome == .applied)
            #expect(result.rule == nil)
            let (before, user) = (try #require(scenario.user), try #require(after))
            #expect(user.defaultMethod == before.defaultMethod)
            #expect(result.deleted.count == 1)
        }
    }

    static let rejectPolicy = TenantPolicy.with { $0.onDefaultDelete = .reject }

    @Test(
        "R-DEFAULT-DELETE, reject: refused while another enabled MFA method exists",
        arguments: [
            Scenario(
                "a mobilePhone remains", user: makeUser(.authenticator("a1"), .mobile(), default: .push),
                change: Change.delete(.microsoftAuthenticator)),
            Scenario(
                "a security key remains", user: makeUser(.authenticator("a1"), .fido2("f1"), default: .push),
                change: Change.delete(.microsoftAuthenticator)),
            Scenario(
                "all authenticators by one row, a token remains",
                user: makeUser(.authenticator("a1"), .authenticator("a2"), .hardwareOath("HW-1"), default: .push),
                change: Change.delete(.microsoftAuthenticator)),
            Scenario(
                "the mobile behind sms, an authenticator remains",
                user: makeUser(.mobile(), .authenticator("a1"), default: .sms), change: Change.delete(.mobilePhone)),
            Scenario(
                "the mobile behind sms in a tenant without sms, an authenticator remains",
                user: makeUser(.mobile(), .authenticator("a1"), default: .sms), change: Change.delete(.mobilePhone),
                policy: .with {
                    $0.onDefaultDelete = .reject
                    $0.enabledMethods.remove(.sms)
                }),
        ])
    func rejectWhileOtherMFA(scenario: Scenario) {
        let policy = scenario.policy?.onDefaultDelete == .reject ? scenario.policy : Self.rejectPolicy
        expectRefusal(.defaultDelete, user: scenario.user, change: scenario.change, policy: policy)
    }

    @Test(
        "R-DEFAULT-DELETE, reject: applies with default none when no other enabled MFA method is left",
        arguments: [
            Scenario(
                "only email and questions left",
                user: makeUser(.authenticator("a1"), .email(), .securityQuestions(3), default: .push),
                change: Change.delete(.microsoftAuthenticator), policy: rejectPolicy),
            Scenario(
                "a mobilePhone left, but neither sms nor voice enabled",
                user: makeUser(.authenticator("a1"), .mobile(), default: .push),
                change: Change.delete(.microsoftAuthenticator),
                policy: .with {
                    $0.onDefaultDelete = .reject
                    $0.enabledMethods.subtract([.sms, .voice])
                }),
            Scenario(
                "nothing left", user: makeUser(.hardwareOath("HW-1"), default: .oath),
                change: Change.delete(.hardwareOath), policy: rejectPolicy),
        ])
    func rejectAppliesWhenNoOtherMFA(scenario: Scenario) throws {
        let (result, after) = evaluateOne(scenario.user, scenario.change, policy: scenario.policy)
        #expect(result.outcome == .applied)
        #expect(result.rule == .defaultDelete)
        #expect(result.deleted.count == 1)
        let (before, user) = (try #require(scenario.user), try #require(after))
        #expect(user.defaultMethod == DefaultMethod.none)
        #expect(user.methods.count == before.methods.count - 1)
    }

    @Test("R-DEFAULT-DELETE, reject: require-reregister is not refused")
    func rejectDoesNotBlockReregister() throws {
        let user = makeUser(.authenticator("a1"), .mobile(), .fido2("f1"), default: .push)
        let (result, after) = evaluateOne(user, Change.requireReregister(), policy: Self.rejectPolicy)
        #expect(result.outcome == .applied)
        #expect(try #require(after) == makeUser(.fido2("f1"), default: .none))
    }

    @Test("R-DEFAULT-DELETE, reject: setting another default first lets the delete apply")
    func rejectAfterMovingDefault() {
        let user = makeUser(.authenticator("a1"), .mobile(), default: .push)
        let evaluation = evaluate(
            user, [Change.setDefault(.sms), Change.delete(.microsoftAuthenticator)], policy: Self.rejectPolicy)
        #expect(evaluation.results.map(\.outcome) == [.applied, .applied])
        #expect(evaluation.results[1].rule == nil)
        #expect(evaluation.after == makeUser(.mobile(), default: .sms))
    }
}
