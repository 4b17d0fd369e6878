import Testing

@testable import SecurityInfo

/// "Values compare as the user would expect: tokens, user names and email addresses without regard to case;
/// phone numbers after normalisation" (RULES.md section 3).
@Suite("RULES.md: values compare without regard to case")
struct CaseInsensitivityTests {
    @Test(
        "R-INPUT-ROW: operation tokens without regard to case",
        arguments: [
            ("ADD", Operation.add), ("Edit", .edit), ("DELETE", .delete), ("Set-Default", .setDefault),
            ("REQUIRE-REREGISTER", .requireReregister),
        ])
    func operationTokens(token: String, operation: Operation) {
        #expect(Operation(token: token) == operation)
    }

    @Test("R-INPUT-ROW: method tokens without regard to case", arguments: MethodKind.allCases)
    func methodTokens(kind: MethodKind) {
        #expect(MethodKind(token: kind.rawValue.uppercased()) == kind)
        #expect(MethodKind(token: kind.rawValue.lowercased()) == kind)
        #expect(MethodKind(token: kind.rawValue) == kind)
    }

    @Test("R-DEFAULT-MFA-ONLY: default tokens without regard to case", arguments: DefaultMethod.allCases)
    func defaultTokens(defaultMethod: DefaultMethod) {
        #expect(DefaultMethod(token: defaultMethod.rawValue.uppercased()) == defaultMethod)
        #expect(DefaultMethod(token: defaultMethod.rawValue.lowercased()) == defaultMethod)
    }

    @Test("R-INPUT-ROW: unknown tokens stay unknown")
    func unknownTokens() {
        #expect(Operation(token: "setdefault") == nil)
        #expect(MethodKind(token: "mobile") == nil)
        #expect(DefaultMethod(token: "voice") == nil)
    }

    @Test("RULES.md: a change row spelled in any case is evaluated like its canonical spelling")
    func rowsInAnyCase() {
        let user = makeUser(.mobile(), .authenticator("a1"), default: .push)
        let changes = [
            Change.row("ADD", method: "OFFICEPHONE", value: Fixture.office),
            Change.row("Edit", method: "MobilePhone", value: Fixture.otherMobile),
            Change.row("SET-DEFAULT", value: "VoiceMobile", expect: "PUSH"),
            Change.row("Delete", method: "microsoftauthenticator", methodID: "a1"),
        ]
        let evaluation = evaluate(user, changes)
        #expect(evaluation.results.map(\.outcome) == [.applied, .applied, .applied, .applied])
        #expect(evaluation.after == makeUser(.mobile(Fixture.otherMobile), .office(), default: .voiceMobile))
    }

    @Test("RULES.md: user names without regard to case")
    func userNames() {
        let change = Change.row("delete", method: "email", user: "ALICE@Contoso.com")
        #expect(change.userKey == makeUser().key)
        #expect(makeUser(name: "Alice@CONTOSO.com").key == Fixture.userName)
    }

    @Test("R-EMAIL-ONE: email addresses without regard to case")
    func emailAddresses() {
        let user = makeUser(.email("Alice@Outlook.com"))
        expectUnchanged(user: user, change: Change.add(.email, "alice@OUTLOOK.COM"))
        expectUnchanged(user: user, change: Change.edit(.email, "ALICE@outlook.com", expect: "nobody@outlook.com"))
        let (result, _) = evaluateOne(user, Change.edit(.email, Fixture.otherEmail, expect: "ALICE@OUTLOOK.COM"))
        #expect(result.outcome == .applied)
    }

    @Test("R-EMAIL-NOT-WORK: the user's UPN domain without regard to case")
    func upnDomain() {
        let user = makeUser(name: "Alice@CONTOSO.COM")
        expectRefusal(.emailNotWork, user: user, change: Change.add(.email, "alice.home@Contoso.Com"))
    }
}
