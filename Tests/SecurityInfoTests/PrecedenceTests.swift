import Testing

@testable import SecurityInfo

/// "When several rules refuse one change, the report names the first in this table's order" (RULES.md section 3).
/// Each case is refused by two or more rules; the label names them, the first being the one expected.
@Suite("RULES.md section 3: precedence")
struct PrecedenceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let expected: RuleID
        let user: User?
        let change: ChangeRequest
        let policy: TenantPolicy?
        let createUsers: Bool
        var testDescription: String { label }

        init(
            _ label: String, _ expected: RuleID, user: User?, change: ChangeRequest,
            policy: TenantPolicy? = TenantPolicy(), createUsers: Bool = false
        ) {
            self.label = label
            self.expected = expected
            self.user = user
            self.change = change
            self.policy = policy
            self.createUsers = createUsers
        }
    }

    static let fiveApps = makeUser(
        .authenticator("a1"), .authenticator("a2"), .softwareOath("s1"), .hardwareOath("HW-1"), .hardwareOath("HW-2"),
        default: .push)
    static let reject = TenantPolicy.with { $0.onDefaultDelete = .reject }

    static let cases: [Case] = [
        Case(
            "R-INPUT-ROW before R-TENANT-SCOPE", .inputRow, user: makeUser(),
            change: Change.row("replace", method: "mobilePhone"), policy: nil),
        Case(
            "R-INPUT-ROW before R-USER-UNKNOWN", .inputRow, user: nil,
            change: Change.row("add", method: "pager", value: Fixture.mobile)),
        Case(
            "R-TENANT-SCOPE before R-USER-UNKNOWN, R-PHONE-FORMAT", .tenantScope, user: nil,
            change: Change.add(.mobilePhone, "+1 XXXXXXXX00"), policy: nil),
        Case(
            "R-USER-UNKNOWN before R-PHONE-FORMAT", .userUnknown, user: nil,
            change: Change.add(.mobilePhone, "+1 XXXXXXXX00")),
        Case(
            "R-USER-UNKNOWN before R-ADD-USER-ONLY", .userUnknown, user: nil, change: Change.add(.fido2, "key")),
        Case(
            "R-ADD-USER-ONLY before R-POLICY-DISABLED (fido2 with a bad value)", .addUserOnly, user: makeUser(),
            change: Change.add(.fido2, "+1 XXXXXXXX00"), policy: .disabling(.fido2)),
        Case(
            "R-ADD-USER-ONLY before R-EXPECT-MISMATCH, R-AUTHAPP-MAX-5", .addUserOnly, user: fiveApps,
            change: Change.add(.microsoftAuthenticator, "New phone", expect: "Old phone")),
        Case(
            "R-ADD-USER-ONLY for a user --create-users would create", .addUserOnly, user: nil,
            change: Change.add(.securityQuestions, "3"), createUsers: true),
        Case(
            "R-EDIT-UNSUPPORTED before R-OATH-SERIAL, R-EXPECT-MISMATCH, R-METHOD-MISSING", .editUnsupported,
            user: makeUser(), change: Change.edit(.hardwareOath, "bad serial!", expect: "HW-1")),
        Case(
            "R-DEFAULT-MFA-ONLY before R-POLICY-DISABLED, R-EXPECT-MISMATCH", .defaultMFAOnly,
            user: makeUser(.authenticator("a1"), .email(), default: .push),
            change: Change.setDefault("email", expect: "sms"), policy: .disabling(.email)),
        Case(
            "R-PHONE-FORMAT before R-POLICY-DISABLED, R-PHONE-ONE-PER-TYPE", .phoneFormat, user: makeUser(.mobile()),
            change: Change.add(.mobilePhone, "+1 42555501OO"), policy: .disabling(.sms, .voice)),
        Case(
            "R-PHONE-EXT-OFFICE-ONLY before R-POLICY-DISABLED, R-PHONE-ALT-REQUIRES-MOBILE", .phoneExtensionOfficeOnly,
            user: makeUser(), change: Change.add(.alternateMobilePhone, "+1 4255550111x1"),
            policy: .disabling(.voice)),
        Case(
            "R-EMAIL-FORMAT before R-POLICY-DISABLED, R-EMAIL-ONE", .emailFormat, user: makeUser(.email()),
            change: Change.add(.email, "not an address"), policy: .disabling(.email)),
        Case(
            "R-EMAIL-NOT-WORK before R-POLICY-DISABLED, R-EMAIL-ONE", .emailNotWork, user: makeUser(.email()),
            change: Change.add(.email, "alice.home@contoso.com"), policy: .disabling(.email)),
        Case(
            "R-OATH-SERIAL before R-POLICY-DISABLED, R-AUTHAPP-MAX-5", .oathSerial, user: fiveApps,
            change: Change.add(.hardwareOath, "HW_9"), policy: .disabling(.hardwareOath)),
        Case(
            "R-POLICY-DISABLED before R-EXPECT-MISMATCH, R-METHOD-MISSING", .policyDisabled, user: makeUser(),
            change: Change.edit(.officePhone, Fixture.office, expect: "+1 4255550177"),
            policy: .with { $0.officePhoneAllowed = false }),
        Case(
            "R-POLICY-DISABLED before R-DEFAULT-BACKING", .policyDisabled, user: makeUser(.office()),
            change: Change.setDefault(.sms), policy: .disabling(.sms)),
        Case(
            "R-EXPECT-MISMATCH before R-METHOD-MISSING", .expectMismatch, user: makeUser(),
            change: Change.edit(.mobilePhone, Fixture.otherMobile, expect: Fixture.mobile)),
        Case(
            "R-EXPECT-MISMATCH before R-PHONE-ONE-PER-TYPE", .expectMismatch, user: makeUser(.mobile()),
            change: Change.add(.mobilePhone, Fixture.otherMobile, expect: "+1 4255550177")),
        Case(
            "R-EXPECT-MISMATCH before R-PHONE-MOBILE-WITH-ALT", .expectMismatch,
            user: makeUser(.mobile(), .alternate()),
            change: Change.delete(.mobilePhone, expect: Fixture.otherMobile)),
        Case(
            "R-EXPECT-MISMATCH before R-AUTHAPP-MAX-5", .expectMismatch, user: fiveApps,
            change: Change.add(.hardwareOath, "HW-3", expect: "HW-2")),
        Case(
            "R-EXPECT-MISMATCH before R-DEFAULT-BACKING", .expectMismatch,
            user: makeUser(.office(), default: .voiceOffice),
            change: Change.setDefault(.sms, expect: "push")),
        Case(
            "R-EXPECT-MISMATCH before R-DEFAULT-DELETE", .expectMismatch,
            user: makeUser(.authenticator("a1", "Pixel"), .mobile(), default: .push),
            change: Change.delete(.microsoftAuthenticator, id: "a1", expect: "iPhone"), policy: reject),
        Case(
            "R-PHONE-ONE-PER-TYPE before R-PHONE-ALT-REQUIRES-MOBILE", .phoneOnePerType, user: makeUser(.alternate()),
            change: Change.add(.alternateMobilePhone, "+1 4255550155")),
        Case(
            "R-EMAIL-ONE before R-METHOD-ID-TAKEN", .emailOne, user: makeUser(.email(), .authenticator("a1")),
            change: Change.add(.email, Fixture.otherEmail, id: "a1")),
        Case(
            "R-METHOD-ID-TAKEN before R-AUTHAPP-MAX-5", .methodIDTaken, user: fiveApps,
            change: Change.add(.hardwareOath, "HW-3", id: "a2")),
        Case(
            "R-PHONE-MOBILE-WITH-ALT before R-DEFAULT-DELETE", .phoneMobileWithAlternate,
            user: makeUser(.mobile(), .alternate(), .authenticator("a1"), default: .sms),
            change: Change.delete(.mobilePhone), policy: reject),
    ]

    @Test("RULES.md: the first refusing rule in table order is reported", arguments: cases)
    func firstRuleWins(precedence: Case) {
        expectRefusal(
            precedence.expected, user: precedence.user, change: precedence.change, policy: precedence.policy,
            createUsers: precedence.createUsers)
    }

    @Test("RuleID: the cases are declared, and compare, in RULES.md's table order")
    func ruleOrder() {
        let ids = RuleID.allCases
        #expect(ids.count == 23)
        #expect(ids.first == .inputRow && ids.last == .thresholdDeletes)
        #expect(ids.sorted() == ids)
        #expect(RuleID.expectMismatch < .methodMissing)
        #expect(RuleID.phoneMobileWithAlternate < .defaultDelete)
        #expect(Set(ids.map(\.rawValue)).count == ids.count)
    }
}
