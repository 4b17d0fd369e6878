import Testing

@testable import SecurityInfo

/// `--create-users`: an `add` for a user the export does not hold creates the user (R-USER-UNKNOWN's exception).
@Suite("--create-users")
struct CreateUsersTests {
    @Test("R-USER-UNKNOWN: --create-users lets an add create the user")
    func addCreates() throws {
        let change = Change.row("add", method: "mobilePhone", value: "+14255550100", user: "Carol@Contoso.com")
        let evaluation = evaluate(nil, [change], createUsers: true)
        let result = evaluation.results[0]
        #expect(result.outcome == .applied)
        #expect(result.createdUser)
        #expect(result.added == [.mobilePhone])
        #expect(evaluation.createdUser)
        #expect(evaluation.before == nil)
        let user = try #require(evaluation.after)
        #expect(user == User(name: "Carol@Contoso.com", isAdmin: false, defaultMethod: .none, methods: [.mobile()]))
    }

    @Test("R-USER-UNKNOWN: without --create-users the add is rejected and no user appears")
    func addWithoutCreateUsers() {
        let evaluation = evaluate(nil, [Change.add(.mobilePhone, Fixture.mobile)])
        #expect(evaluation.results[0].outcome == .rejected)
        #expect(evaluation.results[0].rule == .userUnknown)
        #expect(evaluation.after == nil)
        #expect(!evaluation.createdUser)
    }

    @Test(
        "--create-users: a rejected add creates nobody",
        arguments: [
            (Change.add(.mobilePhone, "+1 XXXXXXXX00"), RuleID.phoneFormat),
            (Change.add(.alternateMobilePhone, Fixture.alternate), .phoneAlternateRequiresMobile),
            (Change.add(.fido2, "key"), .addUserOnly),
            (Change.add(.email, "carol@contoso.com"), .emailNotWork),
        ])
    func rejectedAddCreatesNobody(change: ChangeRequest, rule: RuleID) {
        let evaluation = evaluate(nil, [change], createUsers: true)
        #expect(evaluation.results[0].outcome == .rejected)
        #expect(evaluation.results[0].rule == rule)
        #expect(!evaluation.results[0].createdUser)
        #expect(evaluation.after == nil)
        #expect(!evaluation.createdUser)
    }

    @Test("--create-users: later changes of the batch see the created user")
    func laterChangesSeeCreatedUser() throws {
        let changes = [
            Change.setDefault(.sms),
            Change.add(.email, "bad address"),
            Change.add(.mobilePhone, Fixture.mobile),
            Change.add(.alternateMobilePhone, Fixture.alternate),
            Change.setDefault(.voiceAlternateMobile),
            Change.add(.hardwareOath, "HW-1"),
        ]
        let evaluation = evaluate(nil, changes, createUsers: true)
        #expect(evaluation.results.map(\.outcome) == [.rejected, .rejected, .applied, .applied, .applied, .applied])
        #expect(evaluation.results[0].rule == .userUnknown)
        #expect(evaluation.results[1].rule == .emailFormat)
        #expect(evaluation.results.map(\.createdUser) == [false, false, true, false, false, false])
        let user = try #require(evaluation.after)
        #expect(user.methods == [.mobile(), .alternate(), .hardwareOath("HW-1")])
        #expect(user.defaultMethod == .voiceAlternateMobile)
    }

    @Test("--create-users: a user the export holds is never created again")
    func existingUserNotCreated() {
        let evaluation = evaluate(makeUser(), [Change.add(.mobilePhone, Fixture.mobile)], createUsers: true)
        #expect(evaluation.results[0].outcome == .applied)
        #expect(!evaluation.results[0].createdUser)
        #expect(!evaluation.createdUser)
    }
}
