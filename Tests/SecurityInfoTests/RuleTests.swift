import Testing

@testable import SecurityInfo

/// One test per rule of RULES.md section 3 that the rule engine decides, each refusing the change it names and
/// leaving the user as it was. R-DEFAULT-DELETE has its own file, R-THRESHOLD-DELETES is `DeleteThreshold`'s.
@Suite("RULES.md section 3, rule by rule")
struct RuleTests {
    static let holder = makeUser(.mobile(), .authenticator("a1"), default: .push)

    // MARK: R-INPUT-ROW

    @Test(
        "R-INPUT-ROW: unknown operation or method token, or no tenant or user",
        arguments: [
            Change.row("remove", method: "mobilePhone", value: Fixture.mobile),
            Change.row("", method: "mobilePhone"),
            Change.row("add", method: "phone", value: Fixture.mobile),
            Change.row("add", method: "sms", value: Fixture.mobile),
            Change.row("edit", method: "", value: Fixture.mobile),
            Change.row("delete", method: "authenticator"),
            Change.row("add", method: "mobilePhone", value: Fixture.mobile, tenant: ""),
            Change.row("add", method: "mobilePhone", value: Fixture.mobile, tenant: "  "),
            Change.row("add", method: "mobilePhone", value: Fixture.mobile, user: ""),
            Change.row("delete", method: "email", user: " \t"),
        ])
    func inputRow(change: ChangeRequest) {
        expectRefusal(.inputRow, user: Self.holder, change: change)
    }

    @Test("R-INPUT-ROW: a set-default ignores the method column")
    func inputRowSetDefaultIgnoresMethod() {
        let change = Change.row("set-default", method: "no-such-method", value: "sms")
        let (result, after) = evaluateOne(Self.holder, change)
        #expect(result.outcome == .applied)
        #expect(after?.defaultMethod == DefaultMethod.sms)
    }

    @Test("R-INPUT-ROW: a require-reregister row needs no method (SPEC.md's example)")
    func inputRowReregisterWithoutMethod() {
        let (result, _) = evaluateOne(Self.holder, Change.row("require-reregister"))
        #expect(result.outcome == .applied)
    }

    @Test("R-INPUT-ROW: an unknown method token is refused on require-reregister too (only set-default ignores it)")
    func inputRowReregisterUnknownMethod() {
        expectRefusal(.inputRow, user: Self.holder, change: Change.row("require-reregister", method: "pager"))
    }

    @Test("R-INPUT-ROW: a row without a change id is named by its line")
    func inputRowNamedByLine() {
        let change = ChangeRequest(line: 7, tenant: Fixture.tenant, user: Fixture.userName, operation: "remove")
        #expect(change.name == "line:7")
        expectRefusal(.inputRow, user: Self.holder, change: change)
    }

    // MARK: R-TENANT-SCOPE

    @Test(
        "R-TENANT-SCOPE: a tenant no export holds (no policy) refuses every operation",
        arguments: [
            Change.add(.officePhone, Fixture.office),
            Change.edit(.mobilePhone, Fixture.otherMobile),
            Change.delete(.mobilePhone),
            Change.setDefault(.sms),
            Change.requireReregister(),
        ])
    func tenantScope(change: ChangeRequest) {
        expectRefusal(.tenantScope, user: Self.holder, change: change, policy: nil)
    }

    // MARK: R-USER-UNKNOWN

    @Test(
        "R-USER-UNKNOWN: a user the export does not hold",
        arguments: [
            Change.add(.mobilePhone, Fixture.mobile),
            Change.edit(.mobilePhone, Fixture.otherMobile),
            Change.delete(.mobilePhone),
            Change.setDefault(.sms),
            Change.requireReregister(),
        ])
    func userUnknown(change: ChangeRequest) {
        expectRefusal(.userUnknown, user: nil, change: change)
    }

    @Test(
        "R-USER-UNKNOWN: --create-users creates users by add only",
        arguments: [
            Change.edit(.mobilePhone, Fixture.otherMobile),
            Change.delete(.mobilePhone),
            Change.setDefault(.sms),
            Change.requireReregister(),
        ])
    func userUnknownEvenWithCreateUsers(change: ChangeRequest) {
        expectRefusal(.userUnknown, user: nil, change: change, createUsers: true)
    }

    // MARK: R-ADD-USER-ONLY

    @Test(
        "R-ADD-USER-ONLY: methods only the user can register",
        arguments: [MethodKind.microsoftAuthenticator, .softwareOath, .fido2, .securityQuestions])
    func addUserOnly(kind: MethodKind) {
        expectRefusal(.addUserOnly, user: Self.holder, change: Change.add(kind, "3"))
    }

    @Test(
        "R-ADD-USER-ONLY: an admin may add the three phones, email and hardwareOath",
        arguments: [
            (MethodKind.officePhone, Fixture.office),
            (.alternateMobilePhone, Fixture.alternate),
            (.email, Fixture.email),
            (.hardwareOath, "HW-0001"),
        ])
    func addAllowed(kind: MethodKind, value: String) throws {
        let (result, after) = evaluateOne(Self.holder, Change.add(kind, value))
        #expect(result.outcome == .applied)
        #expect(result.rule == nil)
        #expect(result.added == [kind])
        let added = try #require(after?.methods.last)
        #expect(added.kind == kind && added.value == value)
    }

    @Test("R-ADD-USER-ONLY: an add of mobilePhone to a user without one applies")
    func addMobileAllowed() {
        let (result, after) = evaluateOne(makeUser(), Change.add(.mobilePhone, Fixture.mobile))
        #expect(result.outcome == .applied)
        #expect(after?.methods == [.mobile()])
    }

    // MARK: R-EDIT-UNSUPPORTED

    @Test(
        "R-EDIT-UNSUPPORTED: only phones and email can be edited",
        arguments: [MethodKind.microsoftAuthenticator, .softwareOath, .hardwareOath, .fido2, .securityQuestions])
    func editUnsupported(kind: MethodKind) {
        let user = makeUser(
            .authenticator("a1"), .softwareOath("s1"), .hardwareOath("HW-1"), .fido2("f1"), .securityQuestions(3))
        expectRefusal(.editUnsupported, user: user, change: Change.edit(kind, "HW-2"))
    }

    @Test(
        "R-EDIT-UNSUPPORTED: the three phones and email can be edited",
        arguments: [
            (MethodKind.mobilePhone, Fixture.otherMobile),
            (.alternateMobilePhone, "+1 4255550155"),
            (.officePhone, "+1 4255550166x42"),
            (.email, Fixture.otherEmail),
        ])
    func editAllowed(kind: MethodKind, value: String) {
        let user = makeUser(.mobile(), .alternate(), .office(), .email())
        let (result, after) = evaluateOne(user, Change.edit(kind, value))
        #expect(result.outcome == .applied)
        #expect(result.added.isEmpty && result.deleted.isEmpty)
        #expect(after?.instances(of: kind).map(\.value) == [value])
        #expect(after?.methods.count == 4)
    }

    // MARK: R-DEFAULT-MFA-ONLY

    @Test(
        "R-DEFAULT-MFA-ONLY: set-default to anything but the six values",
        arguments: ["email", "securityQuestions", "fido2", "none", "NONE", "", "voice", "mobilePhone"])
    func defaultMFAOnly(value: String) {
        let user = makeUser(.mobile(), .email(), .fido2("f1"), .securityQuestions(3), default: .sms)
        expectRefusal(.defaultMFAOnly, user: user, change: Change.setDefault(value))
    }

    @Test("R-DEFAULT-MFA-ONLY: each of the six values may be set", arguments: DefaultMethod.settable)
    func defaultSettable(target: DefaultMethod) {
        let user = makeUser(.authenticator("a1"), .mobile(), .alternate(), .office())
        let (result, after) = evaluateOne(user, Change.setDefault(target))
        #expect(result.outcome == .applied)
        #expect(after?.defaultMethod == target)
        #expect(result.after == [.defaultMethod(target)])
        #expect(result.before == [.defaultMethod(DefaultMethod.none)])
    }

    // MARK: R-PHONE-FORMAT

    @Test(
        "R-PHONE-FORMAT: refused numbers, on each phone and by add or edit",
        arguments: [
            MethodKind.mobilePhone, .alternateMobilePhone, .officePhone,
        ],
        [
            "4255550100", "1 4255550100", "+1 XXXXXXXX00", "+1 425555O100", "+1 425", "+999 4255550100",
            "+1 4255550100 ext 5", "",
        ])
    func phoneFormat(kind: MethodKind, number: String) {
        expectRefusal(.phoneFormat, user: makeUser(), change: Change.add(kind, number))
        let editUser = makeUser(.mobile(), .alternate(), .office())
        expectRefusal(.phoneFormat, user: editUser, change: Change.edit(kind, number))
    }

    @Test("R-PHONE-FORMAT: an added number is stored normalised")
    func phoneFormatNormalisesStoredValue() {
        let (result, after) = evaluateOne(makeUser(), Change.add(.mobilePhone, "+1 (425) 555-0100"))
        #expect(result.outcome == .applied)
        #expect(after?.methods.first?.value == "+1 4255550100")
        let (_, edited) = evaluateOne(makeUser(.mobile()), Change.edit(.mobilePhone, "+442079460958"))
        #expect(edited?.methods.first?.value == "+44 2079460958")
    }

    // MARK: R-PHONE-EXT-OFFICE-ONLY

    @Test(
        "R-PHONE-EXT-OFFICE-ONLY: an extension on a mobile or alternate number",
        arguments: [
            Scenario("add mobilePhone", user: makeUser(), change: Change.add(.mobilePhone, "+1 4255550100x123")),
            Scenario(
                "add alternateMobilePhone", user: makeUser(.mobile()),
                change: Change.add(.alternateMobilePhone, "+1 4255550111 X9")),
            Scenario(
                "edit mobilePhone", user: makeUser(.mobile()), change: Change.edit(.mobilePhone, "+14255550100x1")),
        ])
    func phoneExtensionOfficeOnly(scenario: Scenario) {
        expectRefusal(.phoneExtensionOfficeOnly, user: scenario.user, change: scenario.change)
    }

    @Test("R-PHONE-EXT-OFFICE-ONLY: an officePhone may carry an extension")
    func phoneExtensionOnOffice() {
        let (result, after) = evaluateOne(makeUser(), Change.add(.officePhone, "+1 (425) 555-0122 x4567"))
        #expect(result.outcome == .applied)
        #expect(after?.methods == [.office("+1 4255550122x4567")])
    }

    // MARK: R-EMAIL-FORMAT

    @Test(
        "R-EMAIL-FORMAT: not local@domain.tld, over 254 characters, or with spaces",
        arguments: [
            "alice", "alice@", "@outlook.com", "alice@outlook", "alice @outlook.com", "alice@out look.com",
            "a@b@outlook.com", "alice@outlook.com.", String(repeating: "a", count: 243) + "@outlook.com", "",
        ])
    func emailFormat(address: String) {
        expectRefusal(.emailFormat, user: makeUser(), change: Change.add(.email, address))
        expectRefusal(.emailFormat, user: makeUser(.email()), change: Change.edit(.email, address))
    }

    @Test("R-EMAIL-FORMAT: 254 characters is still an address")
    func emailFormatLongest() {
        let address = String(repeating: "a", count: 242) + "@outlook.com"
        #expect(address.count == 254)
        let (result, after) = evaluateOne(makeUser(), Change.add(.email, address))
        #expect(result.outcome == .applied)
        #expect(after?.methods == [.email(address)])
    }

    // MARK: R-EMAIL-NOT-WORK

    @Test(
        "R-EMAIL-NOT-WORK: the user's UPN domain or a tenant domain",
        arguments: ["alice.private@contoso.com", "ALICE@Contoso.COM", "alice@fabrikam.com", "alice@FABRIKAM.com"])
    func emailNotWork(address: String) {
        let policy = TenantPolicy.with { $0.domains = ["fabrikam.com"] }
        expectRefusal(.emailNotWork, user: makeUser(), change: Change.add(.email, address), policy: policy)
        expectRefusal(.emailNotWork, user: makeUser(.email()), change: Change.edit(.email, address), policy: policy)
    }

    @Test("R-EMAIL-NOT-WORK: allowWorkEmail lets a work address through")
    func emailNotWorkAllowed() {
        let policy = TenantPolicy.with { $0.allowWorkEmail = true }
        let (result, after) = evaluateOne(makeUser(), Change.add(.email, "alice@contoso.com"), policy: policy)
        #expect(result.outcome == .applied)
        #expect(after?.methods == [.email("alice@contoso.com")])
    }

    @Test("R-EMAIL-NOT-WORK: a tenant domain from a policy file compares without regard to case")
    func emailNotWorkPolicyDomainCase() {
        var overrides = TenantPolicyOverrides()
        overrides.domains = ["Fabrikam.COM"]
        let policy = overrides.applied(to: TenantPolicy())
        expectRefusal(.emailNotWork, user: makeUser(), change: Change.add(.email, "al@fabrikam.com"), policy: policy)
    }

    // MARK: R-OATH-SERIAL

    @Test(
        "R-OATH-SERIAL: a serial is 1–64 of A-Z a-z 0-9 -",
        arguments: ["", "HW_0001", "HW 0001", "HW/0001", "HW.0001", "HWÄ0001", String(repeating: "7", count: 65)])
    func oathSerial(serial: String) {
        expectRefusal(.oathSerial, user: makeUser(), change: Change.add(.hardwareOath, serial))
    }

    @Test("R-OATH-SERIAL: valid serials are added", arguments: ["7", "Ab-09-zZ", String(repeating: "A", count: 64)])
    func oathSerialValid(serial: String) {
        let (result, after) = evaluateOne(makeUser(), Change.add(.hardwareOath, serial, id: "t1"))
        #expect(result.outcome == .applied)
        #expect(after?.methods == [.hardwareOath(serial, id: "t1")])
    }

    // MARK: R-POLICY-DISABLED

    static let policyDisabledScenarios: [Scenario] = [
        Scenario(
            "add mobilePhone, neither sms nor voice", user: makeUser(),
            change: Change.add(.mobilePhone, Fixture.mobile), policy: .disabling(.sms, .voice)),
        Scenario(
            "add alternateMobilePhone, no voice", user: makeUser(.mobile()),
            change: Change.add(.alternateMobilePhone, Fixture.alternate), policy: .disabling(.voice)),
        Scenario(
            "add officePhone, no voice", user: makeUser(), change: Change.add(.officePhone, Fixture.office),
            policy: .disabling(.voice)),
        Scenario(
            "add officePhone, officePhoneAllowed false", user: makeUser(),
            change: Change.add(.officePhone, Fixture.office), policy: .with { $0.officePhoneAllowed = false }),
        Scenario(
            "add email, email disabled", user: makeUser(), change: Change.add(.email, Fixture.email),
            policy: .disabling(.email)),
        Scenario(
            "add hardwareOath, disabled", user: makeUser(), change: Change.add(.hardwareOath, "HW-1"),
            policy: .disabling(.hardwareOath)),
        Scenario(
            "edit mobilePhone, neither sms nor voice", user: makeUser(.mobile()),
            change: Change.edit(.mobilePhone, Fixture.otherMobile), policy: .disabling(.sms, .voice)),
        Scenario(
            "edit email, email disabled", user: makeUser(.email()), change: Change.edit(.email, Fixture.otherEmail),
            policy: .disabling(.email)),
        Scenario(
            "set-default sms, voice only", user: makeUser(.mobile()), change: Change.setDefault(.sms),
            policy: .disabling(.sms)),
        Scenario(
            "set-default voiceMobile, sms only", user: makeUser(.mobile()), change: Change.setDefault(.voiceMobile),
            policy: .disabling(.voice)),
        Scenario(
            "set-default voiceOffice, officePhoneAllowed false", user: makeUser(.office()),
            change: Change.setDefault(.voiceOffice), policy: .with { $0.officePhoneAllowed = false }),
        Scenario(
            "set-default push, authenticator disabled", user: makeUser(.authenticator("a1")),
            change: Change.setDefault(.push), policy: .disabling(.microsoftAuthenticator)),
        Scenario(
            "set-default oath, all three OATH kinds disabled", user: makeUser(.hardwareOath("HW-1")),
            change: Change.setDefault(.oath),
            policy: .disabling(.microsoftAuthenticator, .softwareOath, .hardwareOath)),
    ]

    @Test(
        "R-POLICY-DISABLED: add, edit or default through a channel the tenant does not enable",
        arguments: policyDisabledScenarios)
    func policyDisabled(scenario: Scenario) {
        expectRefusal(.policyDisabled, user: scenario.user, change: scenario.change, policy: scenario.policy)
    }

    @Test("R-POLICY-DISABLED: a delete of a disabled method applies (a policy never deletes, but admins may)")
    func policyDisabledDoesNotBlockDelete() {
        let user = makeUser(.fido2("f1"), .mobile(), default: .sms)
        let (result, after) = evaluateOne(user, Change.delete(.fido2), policy: .disabling(.fido2))
        #expect(result.outcome == .applied)
        #expect(result.deleted == [.fido2])
        #expect(after?.methods == [.mobile()])
    }

    @Test(
        "R-POLICY-DISABLED: a mobilePhone needs only one of sms and voice",
        arguments: [PolicyMethod.sms, .voice])
    func policyMobileEitherChannel(channel: PolicyMethod) {
        let policy = TenantPolicy.disabling(channel)
        let (result, _) = evaluateOne(makeUser(), Change.add(.mobilePhone, Fixture.mobile), policy: policy)
        #expect(result.outcome == .applied)
    }

    // MARK: R-EXPECT-MISMATCH

    static let expectMismatchScenarios: [Scenario] = [
        Scenario(
            "edit mobilePhone", user: makeUser(.mobile()),
            change: Change.edit(.mobilePhone, Fixture.otherMobile, expect: "+1 4255550177")),
        Scenario(
            "edit email", user: makeUser(.email()),
            change: Change.edit(.email, Fixture.otherEmail, expect: "bob@outlook.com")),
        Scenario(
            "delete mobilePhone", user: makeUser(.mobile()),
            change: Change.delete(.mobilePhone, expect: Fixture.otherMobile)),
        Scenario(
            "delete an authenticator by id", user: makeUser(.authenticator("a1", "Pixel")),
            change: Change.delete(.microsoftAuthenticator, id: "a1", expect: "iPhone")),
        Scenario(
            "set-default", user: makeUser(.mobile(), .authenticator("a1"), default: .push),
            change: Change.setDefault(.sms, expect: "voiceMobile")),
        Scenario(
            "add of an absent phone expects a value", user: makeUser(),
            change: Change.add(.mobilePhone, Fixture.mobile, expect: Fixture.otherMobile)),
    ]

    @Test("R-EXPECT-MISMATCH: expect is not the current value", arguments: expectMismatchScenarios)
    func expectMismatch(scenario: Scenario) {
        expectRefusal(.expectMismatch, user: scenario.user, change: scenario.change)
    }

    @Test("R-EXPECT-MISMATCH: an expect that matches, as values compare, lets the change apply")
    func expectMatches() {
        let user = makeUser(.mobile(), .email("Alice@Outlook.com"), default: .sms)
        let changes = [
            Change.edit(.mobilePhone, Fixture.otherMobile, expect: "+1 (425) 555-0100"),
            Change.edit(.email, Fixture.otherEmail, expect: "alice@OUTLOOK.com"),
            Change.setDefault(.voiceMobile, expect: "SMS"),
        ]
        let evaluation = evaluate(user, changes)
        #expect(evaluation.results.map(\.outcome) == [.applied, .applied, .applied])
        #expect(
            evaluation.after
                == makeUser(.mobile(Fixture.otherMobile), .email(Fixture.otherEmail), default: .voiceMobile))
    }

    // MARK: R-METHOD-MISSING

    @Test(
        "R-METHOD-MISSING: edit of a method the user does not have",
        arguments: [
            (MethodKind.mobilePhone, Fixture.mobile), (.alternateMobilePhone, Fixture.alternate),
            (.officePhone, Fixture.office), (.email, Fixture.email),
        ])
    func methodMissing(kind: MethodKind, value: String) {
        expectRefusal(.methodMissing, user: makeUser(.authenticator("a1")), change: Change.edit(kind, value))
    }

    @Test("R-METHOD-MISSING: a delete of an absent method is unchanged", arguments: MethodKind.allCases)
    func methodMissingDeleteUnchanged(kind: MethodKind) {
        let others = makeUser(.authenticator("a1"), default: .push)
        let user = kind == .microsoftAuthenticator ? makeUser(.mobile(), default: .sms) : others
        expectUnchanged(user: user, change: Change.delete(kind))
    }

    // MARK: R-PHONE-ONE-PER-TYPE

    @Test(
        "R-PHONE-ONE-PER-TYPE: add of a phone type the user has with another number",
        arguments: [
            (MethodKind.mobilePhone, Fixture.otherMobile), (.alternateMobilePhone, "+1 4255550155"),
            (.officePhone, "+1 4255550166"),
        ])
    func phoneOnePerType(kind: MethodKind, value: String) {
        let user = makeUser(.mobile(), .alternate(), .office())
        expectRefusal(.phoneOnePerType, user: user, change: Change.add(kind, value))
    }

    @Test("R-PHONE-ONE-PER-TYPE: the same number, written differently, is unchanged")
    func phoneOnePerTypeSameNumber() {
        let user = makeUser(.mobile(), .office("+1 4255550122x45"))
        expectUnchanged(user: user, change: Change.add(.mobilePhone, "+1 (425) 555-0100"))
        expectUnchanged(user: user, change: Change.add(.mobilePhone, "+14255550100"))
        expectUnchanged(user: user, change: Change.add(.officePhone, "+1 425.555.0122 X45"))
    }

    // MARK: R-PHONE-ALT-REQUIRES-MOBILE

    @Test("R-PHONE-ALT-REQUIRES-MOBILE: add of alternateMobilePhone without a mobilePhone")
    func phoneAlternateRequiresMobile() {
        let user = makeUser(.office(), .authenticator("a1"))
        expectRefusal(
            .phoneAlternateRequiresMobile, user: user, change: Change.add(.alternateMobilePhone, Fixture.alternate))
    }

    @Test("R-PHONE-ALT-REQUIRES-MOBILE: a mobilePhone added earlier in the batch is enough")
    func phoneAlternateAfterMobileInBatch() {
        let evaluation = evaluate(
            makeUser(),
            [Change.add(.mobilePhone, Fixture.mobile), Change.add(.alternateMobilePhone, Fixture.alternate)])
        #expect(evaluation.results.map(\.outcome) == [.applied, .applied])
        #expect(evaluation.after?.methods == [.mobile(), .alternate()])
    }

    @Test("R-PHONE-ALT-REQUIRES-MOBILE: changes apply in file order, never reordered")
    func phoneAlternateBeforeMobileInBatch() {
        let evaluation = evaluate(
            makeUser(),
            [Change.add(.alternateMobilePhone, Fixture.alternate), Change.add(.mobilePhone, Fixture.mobile)])
        #expect(evaluation.results.map(\.outcome) == [.rejected, .applied])
        #expect(evaluation.results[0].rule == .phoneAlternateRequiresMobile)
        #expect(evaluation.after?.methods == [.mobile()])
    }

    // MARK: R-PHONE-MOBILE-WITH-ALT

    @Test("R-PHONE-MOBILE-WITH-ALT: delete of mobilePhone while alternateMobilePhone exists")
    func phoneMobileWithAlternate() {
        let user = makeUser(.mobile(), .alternate(), .authenticator("a1"), default: .push)
        expectRefusal(.phoneMobileWithAlternate, user: user, change: Change.delete(.mobilePhone))
    }

    @Test("R-PHONE-MOBILE-WITH-ALT: deleting the alternate first lets the mobile go")
    func phoneMobileAfterAlternate() {
        let user = makeUser(.mobile(), .alternate(), .authenticator("a1"), default: .push)
        let evaluation = evaluate(user, [Change.delete(.alternateMobilePhone), Change.delete(.mobilePhone)])
        #expect(evaluation.results.map(\.outcome) == [.applied, .applied])
        #expect(evaluation.results.map(\.deleted) == [[.alternateMobilePhone], [.mobilePhone]])
        #expect(evaluation.after == makeUser(.authenticator("a1"), default: .push))
    }

    // MARK: R-EMAIL-ONE

    @Test("R-EMAIL-ONE: add of email when the user has another address")
    func emailOne() {
        expectRefusal(.emailOne, user: makeUser(.email()), change: Change.add(.email, Fixture.otherEmail))
    }

    @Test("R-EMAIL-ONE: the same address in another case is unchanged")
    func emailOneSameAddress() {
        expectUnchanged(user: makeUser(.email()), change: Change.add(.email, "ALICE@outlook.COM"))
    }

    // MARK: R-METHOD-ID-TAKEN

    @Test(
        "R-METHOD-ID-TAKEN: add with a method_id another instance holds",
        arguments: [
            Scenario(
                "a token with an authenticator's id", user: makeUser(.authenticator("a1")),
                change: Change.add(.hardwareOath, "HW-1", id: "a1")),
            Scenario(
                "a token with another token's id, in another case", user: makeUser(.hardwareOath("HW-1", id: "T-1")),
                change: Change.add(.hardwareOath, "HW-2", id: "t-1")),
            Scenario(
                "a phone with a security key's id", user: makeUser(.fido2("f1")),
                change: Change.add(.mobilePhone, Fixture.mobile, id: "F1")),
        ])
    func methodIDTaken(scenario: Scenario) {
        expectRefusal(.methodIDTaken, user: scenario.user, change: scenario.change)
    }

    @Test("R-METHOD-ID-TAKEN: the instance that holds the id, added again, is unchanged")
    func methodIDOfSameInstance() {
        expectUnchanged(
            user: makeUser(.hardwareOath("HW-1", id: "t1")), change: Change.add(.hardwareOath, "HW-1", id: "t1"))
    }

    @Test("R-METHOD-ID-TAKEN: a later delete by the id takes the one instance that has it")
    func methodIDDeleteAfterRefusedAdd() {
        let user = makeUser(.hardwareOath("HW-1", id: "t1"), .hardwareOath("HW-2", id: "t2"))
        let evaluation = evaluate(
            user, [Change.add(.hardwareOath, "HW-3", id: "t1"), Change.delete(.hardwareOath, id: "t1")])
        #expect(evaluation.results.map(\.outcome) == [.rejected, .applied])
        #expect(evaluation.after == makeUser(.hardwareOath("HW-2", id: "t2")))
    }

    @Test("R-METHOD-ID-TAKEN: an empty method_id is no id, and an id the user does not hold is free")
    func methodIDFree() {
        let user = makeUser(.hardwareOath("HW-1"), .authenticator("a1"))
        let evaluation = evaluate(
            user, [Change.add(.hardwareOath, "HW-2"), Change.add(.hardwareOath, "HW-3", id: "t3")])
        #expect(evaluation.results.map(\.outcome) == [.applied, .applied])
    }

    // MARK: R-AUTHAPP-MAX-5

    static let fiveApps = makeUser(
        .authenticator("a1"), .authenticator("a2", "iPad"), .softwareOath("s1"), .hardwareOath("HW-1"),
        .hardwareOath("HW-2"), default: .push)

    @Test("R-AUTHAPP-MAX-5: five apps and tokens refuse a sixth hardwareOath")
    func authenticatorAppMax5() {
        #expect(Self.fiveApps.authenticatorAppCount == 5)
        expectRefusal(.authenticatorAppMax5, user: Self.fiveApps, change: Change.add(.hardwareOath, "HW-3"))
    }

    @Test("R-AUTHAPP-MAX-5: a serial the user already holds is unchanged, even at five")
    func authenticatorAppMax5HeldSerial() {
        expectUnchanged(user: Self.fiveApps, change: Change.add(.hardwareOath, "HW-2"))
    }

    @Test("R-AUTHAPP-MAX-5: a fifth is allowed")
    func authenticatorAppFifth() {
        let four = makeUser(.authenticator("a1"), .softwareOath("s1"), .softwareOath("s2"), .hardwareOath("HW-1"))
        let evaluation = evaluate(four, [Change.add(.hardwareOath, "HW-2"), Change.add(.hardwareOath, "HW-3")])
        #expect(evaluation.results.map(\.outcome) == [.applied, .rejected])
        #expect(evaluation.results[1].rule == .authenticatorAppMax5)
        #expect(evaluation.after?.authenticatorAppCount == 5)
    }

    @Test("R-AUTHAPP-MAX-5: security keys, phones and email do not count")
    func authenticatorAppMax5CountsOnlyApps() {
        let user = makeUser(
            .authenticator("a1"), .authenticator("a2"), .softwareOath("s1"), .hardwareOath("HW-1"), .fido2("f1"),
            .fido2("f2"), .mobile(), .email())
        let (result, _) = evaluateOne(user, Change.add(.hardwareOath, "HW-2"))
        #expect(result.outcome == .applied)
    }

    // MARK: R-DEFAULT-BACKING

    static let defaultBackingScenarios: [Scenario] = [
        Scenario(
            "push without an authenticator", user: makeUser(.softwareOath("s1"), .mobile()),
            change: Change.setDefault(.push)),
        Scenario(
            "oath without an OATH method", user: makeUser(.mobile(), .fido2("f1")), change: Change.setDefault(.oath)),
        Scenario("sms without a mobilePhone", user: makeUser(.office()), change: Change.setDefault(.sms)),
        Scenario(
            "voiceMobile without a mobilePhone", user: makeUser(.office()), change: Change.setDefault(.voiceMobile)),
        Scenario(
            "voiceAlternateMobile without an alternate", user: makeUser(.mobile()),
            change: Change.setDefault(.voiceAlternateMobile)),
        Scenario(
            "voiceOffice without an officePhone", user: makeUser(.mobile()), change: Change.setDefault(.voiceOffice)),
        Scenario(
            "oath backed only by a disabled softwareOath", user: makeUser(.softwareOath("s1")),
            change: Change.setDefault(.oath), policy: .disabling(.softwareOath)),
    ]

    @Test("R-DEFAULT-BACKING: the default needs its method", arguments: defaultBackingScenarios)
    func defaultBacking(scenario: Scenario) {
        expectRefusal(.defaultBacking, user: scenario.user, change: scenario.change, policy: scenario.policy)
    }

    @Test(
        "R-DEFAULT-BACKING: each default with its backing method",
        arguments: [
            (DefaultMethod.push, MethodInstance.authenticator("a1")),
            (.oath, .authenticator("a1")), (.oath, .softwareOath("s1")), (.oath, .hardwareOath("HW-1")),
            (.sms, .mobile()), (.voiceMobile, .mobile()), (.voiceAlternateMobile, .alternate()),
            (.voiceOffice, .office()),
        ])
    func defaultBacked(target: DefaultMethod, method: MethodInstance) {
        let user = makeUser(method, .email())
        let (result, after) = evaluateOne(user, Change.setDefault(target))
        #expect(result.outcome == .applied)
        #expect(after?.defaultMethod == target)
        #expect(after?.methods == user.methods)
    }
}
