import Testing

@testable import SecurityInfo

/// The findings of RULES.md section 3 (after the rules): reported per user, never blocking a change.
@Suite("Audit findings")
struct AuditTests {
    @Test("Audit: a well-kept user has no findings")
    func clean() {
        let user = makeUser(.authenticator("a1"), .mobile(), .email(), .securityQuestions(3), default: .push)
        #expect(Audit.findings(for: user, policy: TenantPolicy()).isEmpty)
        let admin = makeUser(.authenticator("a1"), .mobile(), .email(), default: .push, admin: true)
        #expect(Audit.findings(for: admin, policy: TenantPolicy()).isEmpty)
    }

    // MARK: F-NO-MFA

    @Test(
        "F-NO-MFA: no enabled MFA method left",
        arguments: [
            Scenario("no methods", user: makeUser(), change: Change.requireReregister()),
            Scenario(
                "email and questions only", user: makeUser(.email(), .securityQuestions(5)),
                change: Change.requireReregister()),
            Scenario(
                "a mobilePhone with neither sms nor voice", user: makeUser(.mobile(), .email()),
                change: Change.requireReregister(), policy: .disabling(.sms, .voice)),
            Scenario(
                "a security key the policy disables", user: makeUser(.fido2("f1"), .email()),
                change: Change.requireReregister(), policy: .disabling(.fido2)),
        ])
    func noMFA(scenario: Scenario) throws {
        let user = try #require(scenario.user)
        #expect(findingIDs(user, policy: try #require(scenario.policy)).contains(.noMFA))
    }

    @Test(
        "F-NO-MFA: any one enabled MFA method is enough",
        arguments: [
            MethodInstance.authenticator("a1"), .softwareOath("s1"), .hardwareOath("HW-1"), .mobile(), .office(),
            .fido2("f1"),
        ])
    func hasMFA(method: MethodInstance) {
        #expect(!findingIDs(makeUser(method, .email())).contains(.noMFA))
    }

    @Test("F-NO-MFA: Windows Hello for Business or a platform credential (GRAPH.md §1) is an MFA method, not SSPR")
    func otherMFAMethods() {
        var user = makeUser(.email())
        #expect(findingIDs(user).contains(.noMFA))
        user.otherMFAMethodCount = 1
        #expect(!findingIDs(user).contains(.noMFA))
        #expect(findingIDs(user, policy: .with { $0.ssprMethodsRequired = 2 }).contains(.ssprShort))
    }

    @Test("F-NO-MFA: never blocks the delete of the last MFA method")
    func noMFADoesNotBlock() throws {
        let user = makeUser(.mobile(), .email(), default: .sms)
        let (result, after) = evaluateOne(user, Change.delete(.mobilePhone))
        #expect(result.outcome == .applied)
        #expect(findingIDs(try #require(after)).contains(.noMFA))
    }

    // MARK: F-SSPR-SHORT

    static let requiresTwo = TenantPolicy.with { $0.ssprMethodsRequired = 2 }

    @Test("F-SSPR-SHORT: fewer enabled SSPR methods than ssprMethodsRequired")
    func ssprShort() {
        #expect(findingIDs(makeUser(.fido2("f1"))).contains(.ssprShort))
        #expect(!findingIDs(makeUser(.fido2("f1"), .email())).contains(.ssprShort))
        #expect(findingIDs(makeUser(.authenticator("a1")), policy: Self.requiresTwo).contains(.ssprShort))
        #expect(!findingIDs(makeUser(.authenticator("a1"), .email()), policy: Self.requiresTwo).contains(.ssprShort))
    }

    @Test("F-SSPR-SHORT: an admin needs two whatever the policy says")
    func ssprShortAdmin() {
        #expect(findingIDs(makeUser(.authenticator("a1"), admin: true)).contains(.ssprShort))
        #expect(!findingIDs(makeUser(.authenticator("a1"), .mobile(), admin: true)).contains(.ssprShort))
        #expect(!findingIDs(makeUser(.authenticator("a1"), admin: false)).contains(.ssprShort))
    }

    @Test("F-SSPR-SHORT: an admin's security questions don't count")
    func ssprShortAdminQuestions() {
        let admin = makeUser(.authenticator("a1"), .securityQuestions(5), default: .push, admin: true)
        let ids = findingIDs(admin)
        #expect(ids.contains(.ssprShort))
        #expect(ids.contains(.securityQuestionsAdmin))
        let user = makeUser(.authenticator("a1"), .securityQuestions(5), default: .push)
        #expect(!findingIDs(user, policy: Self.requiresTwo).contains(.ssprShort))
    }

    @Test(
        "F-SSPR-SHORT: security questions count only at or above registerCount",
        arguments: [(2, 3, false), (3, 3, true), (4, 5, false), (5, 5, true)])
    func ssprShortQuestions(registered: Int, registerCount: Int, counts: Bool) {
        let policy = TenantPolicy.with {
            $0.ssprMethodsRequired = 2
            $0.securityQuestionsRegisterCount = registerCount
        }
        let user = makeUser(.authenticator("a1"), .securityQuestions(registered), default: .push)
        #expect(findingIDs(user, policy: policy).contains(.ssprShort) == !counts)
    }

    @Test("F-SSPR-SHORT: counted by kind, two authenticator apps are one method")
    func ssprShortByKind() {
        let user = makeUser(.authenticator("a1"), .authenticator("a2"), .authenticator("a3"), default: .push)
        #expect(findingIDs(user, policy: Self.requiresTwo).contains(.ssprShort))
        let tokens = makeUser(.hardwareOath("HW-1"), .hardwareOath("HW-2"), default: .oath)
        #expect(findingIDs(tokens, policy: Self.requiresTwo).contains(.ssprShort))
    }

    @Test("F-SSPR-SHORT: alternateMobilePhone and fido2 are not SSPR methods, disabled methods don't count")
    func ssprShortNotSSPR() {
        let user = makeUser(.authenticator("a1"), .alternate(), .fido2("f1"), default: .push)
        #expect(findingIDs(user, policy: Self.requiresTwo).contains(.ssprShort))
        let disabled = TenantPolicy.with {
            $0.ssprMethodsRequired = 2
            $0.enabledMethods.remove(.email)
        }
        #expect(
            findingIDs(makeUser(.authenticator("a1"), .email(), default: .push), policy: disabled).contains(.ssprShort))
    }

    // MARK: F-DEFAULT-INVALID

    @Test(
        "F-DEFAULT-INVALID: the default lacks its backing method or its channel is disabled",
        arguments: [
            Scenario(
                "push without an authenticator", user: makeUser(.mobile(), default: .push),
                change: Change.requireReregister()),
            Scenario(
                "oath without OATH", user: makeUser(.mobile(), default: .oath), change: Change.requireReregister()),
            Scenario(
                "voiceAlternateMobile without an alternate", user: makeUser(.mobile(), default: .voiceAlternateMobile),
                change: Change.requireReregister()),
            Scenario(
                "sms with sms disabled", user: makeUser(.mobile(), default: .sms), change: Change.requireReregister(),
                policy: .disabling(.sms)),
            Scenario(
                "voiceOffice with officePhoneAllowed false",
                user: makeUser(.office(), .mobile(), default: .voiceOffice),
                change: Change.requireReregister(), policy: .with { $0.officePhoneAllowed = false }),
            Scenario(
                "push with the authenticator disabled", user: makeUser(.authenticator("a1"), .mobile(), default: .push),
                change: Change.requireReregister(), policy: .disabling(.microsoftAuthenticator)),
        ])
    func defaultInvalid(scenario: Scenario) throws {
        let user = try #require(scenario.user)
        #expect(findingIDs(user, policy: try #require(scenario.policy)).contains(.defaultInvalid))
    }

    @Test("F-DEFAULT-INVALID: none is never invalid; a backed default is valid")
    func defaultValid() {
        #expect(!findingIDs(makeUser(.mobile(), default: .none)).contains(.defaultInvalid))
        #expect(
            !findingIDs(makeUser(.mobile(), default: .voiceMobile), policy: .disabling(.sms)).contains(.defaultInvalid))
        #expect(!findingIDs(makeUser(.softwareOath("s1"), default: .oath)).contains(.defaultInvalid))
    }

    // MARK: F-METHOD-DISABLED

    @Test("F-METHOD-DISABLED: a held method the policy no longer enables is reported, kept and not counted")
    func methodDisabled() throws {
        let user = makeUser(.fido2("f1"), .email(), default: .none)
        let policy = TenantPolicy.disabling(.fido2)
        let findings = Audit.findings(for: user, policy: policy)
        #expect(findings.contains { $0.id == .methodDisabled && $0.detail.contains(MethodKind.fido2.rawValue) })
        #expect(findings.map(\.id).contains(.noMFA), "the disabled key does not count for MFA")
        #expect(!findingIDs(user).contains(.methodDisabled))
        let (result, after) = evaluateOne(user, Change.add(.officePhone, Fixture.office), policy: policy)
        #expect(result.outcome == .applied)
        #expect(try #require(after).has(.fido2), "a policy never deletes a registration")
    }

    @Test(
        "F-METHOD-DISABLED: the phones through their channels",
        arguments: [
            (MethodInstance.alternate(), TenantPolicy.disabling(.voice)),
            (.office(), .with { $0.officePhoneAllowed = false }),
            (.mobile(), .disabling(.sms, .voice)),
        ])
    func methodDisabledPhones(method: MethodInstance, policy: TenantPolicy) {
        let user = makeUser(method, .authenticator("a1"))
        #expect(findingIDs(user, policy: policy).contains(.methodDisabled))
        #expect(!findingIDs(user).contains(.methodDisabled))
    }

    // MARK: F-SQ-ADMIN

    @Test("F-SQ-ADMIN: an admin holds security questions")
    func securityQuestionsAdmin() {
        let methods: [MethodInstance] = [.authenticator("a1"), .mobile(), .securityQuestions(3)]
        let admin = User(name: Fixture.userName, isAdmin: true, defaultMethod: .push, methods: methods)
        let user = User(name: Fixture.userName, isAdmin: false, defaultMethod: .push, methods: methods)
        #expect(findingIDs(admin).contains(.securityQuestionsAdmin))
        #expect(!findingIDs(user).contains(.securityQuestionsAdmin))
    }

    // MARK: F-STATE-INVALID

    @Test(
        "F-STATE-INVALID: the export itself breaks a rule, named in the detail",
        arguments: [
            (
                makeUser(.alternate(), .authenticator("a1"), default: .push),
                RuleID.phoneAlternateRequiresMobile
            ),
            (
                makeUser(
                    .authenticator("a1"), .authenticator("a2"), .authenticator("a3"), .softwareOath("s1"),
                    .softwareOath("s2"), .hardwareOath("HW-1"), default: .push),
                .authenticatorAppMax5
            ),
            (makeUser(.mobile("+1 XXXXXXXX00"), .authenticator("a1")), .phoneFormat),
            (makeUser(.office("555-0100"), .authenticator("a1")), .phoneFormat),
            (makeUser(.mobile("+1 4255550100x12"), .authenticator("a1")), .phoneExtensionOfficeOnly),
            (makeUser(.email("alice at outlook"), .authenticator("a1")), .emailFormat),
            (makeUser(.hardwareOath("HW_1"), .authenticator("a1")), .oathSerial),
        ])
    func stateInvalid(user: User, rule: RuleID) {
        let findings = Audit.findings(for: user, policy: TenantPolicy()).filter { $0.id == .stateInvalid }
        #expect(findings.count == 1)
        #expect(findings.first?.detail.contains(rule.rawValue) == true, "\(findings.map(\.detail))")
    }

    @Test(
        "F-STATE-INVALID: a security-questions value that is no count of questions, each in the user's method order",
        arguments: ["x", "-1", "", " 3", "3.0"])
    func securityQuestionsValue(value: String) {
        let questions = MethodInstance(kind: .securityQuestions, value: value)
        let user = makeUser(questions, .hardwareOath("HW_1"), questions, .authenticator("a1"))
        let details = Audit.findings(for: user, policy: TenantPolicy()).filter { $0.id == .stateInvalid }.map(\.detail)
        #expect(
            details == [
                "2 × securityQuestions, at most one allowed", "securityQuestions value must be the count registered",
                "R-OATH-SERIAL: the hardwareOath value is not valid",
                "securityQuestions value must be the count registered",
            ])
    }

    @Test("F-SSPR-SHORT: of two security-questions values, one at registerCount is enough; a count may be signed")
    func securityQuestionsCounts() {
        let policy = TenantPolicy.with { $0.securityQuestionsRegisterCount = 4 }
        let counted = { (values: [String]) in
            let user = User(
                name: "u@t.example", methods: values.map { MethodInstance(kind: .securityQuestions, value: $0) })
            return !findingIDs(user, policy: policy).contains(.ssprShort)
        }
        #expect(counted(["2", "4"]) && counted(["4", "2"]) && counted(["5", "x"]) && counted(["+4"]))
        #expect(!counted(["3"]) && !counted(["x", "-4"]))
    }

    @Test("F-STATE-INVALID: five authenticators and a well-formed export are fine")
    func stateValid() {
        let user = makeUser(
            .authenticator("a1"), .authenticator("a2"), .softwareOath("s1"), .softwareOath("s2"), .hardwareOath("HW-1"),
            .mobile("+14255550100"), .alternate(), .office("+1 4255550122x45"), .email(), default: .push)
        #expect(!findingIDs(user).contains(.stateInvalid))
    }

    @Test("F-STATE-INVALID: findings never hold a number or an address")
    func detailsMasked() {
        let user = makeUser(.mobile("+1 42555501OO"), .email("alice@@outlook.com"), admin: true)
        let details = Audit.findings(for: user, policy: TenantPolicy()).map(\.detail)
        #expect(details.count >= 2)
        #expect(!details.contains { $0.contains("42555501") || $0.contains("outlook") })
    }

    @Test("Audit: findings come in the table's order")
    func order() {
        let user = makeUser(.alternate(), .securityQuestions(3), .fido2("f1"), default: .push, admin: true)
        let ids = findingIDs(user, policy: .disabling(.fido2, .voice))
        #expect(Set(ids) == Set(FindingID.allCases))
        #expect(ids == ids.sorted())
    }
}
