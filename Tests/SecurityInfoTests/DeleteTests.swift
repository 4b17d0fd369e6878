import Testing

@testable import SecurityInfo

/// Which instances a `delete` takes, and what `require-reregister` removes (RULES.md section 2).
@Suite("RULES.md section 2: delete and require-reregister")
struct DeleteTests {
    static let phone = MethodInstance.authenticator("a1", "Alice's iPhone")
    static let pixel = MethodInstance.authenticator("a2", "Pixel")
    static let tablet = MethodInstance.authenticator("a3", "iPad")
    static let user = makeUser(phone, .mobile(), pixel, tablet, default: .sms)

    @Test(
        "section 2: a delete of a many-instance method takes the one named, by method_id before value",
        arguments: [
            (id: "a2", value: "", taken: pixel),
            (id: "", value: "Pixel", taken: pixel),
            (id: "a1", value: "Pixel", taken: phone),
            (id: "a9", value: "iPad", taken: tablet),
        ])
    func selectsOne(id: String, value: String, taken: MethodInstance) throws {
        let (result, after) = evaluateOne(Self.user, Change.delete(.microsoftAuthenticator, id: id, value: value))
        #expect(result.outcome == .applied)
        #expect(result.rule == nil)
        #expect(result.deleted == [.microsoftAuthenticator])
        #expect(result.before == [.method(taken)])
        let remaining = try #require(after).methods
        #expect(remaining == Self.user.methods.filter { $0 != taken })
    }

    @Test("section 2: a delete naming neither method_id nor value takes every instance, each counted")
    func selectsAll() throws {
        let (result, after) = evaluateOne(Self.user, Change.delete(.microsoftAuthenticator))
        #expect(result.outcome == .applied)
        #expect(result.deleted == Array(repeating: .microsoftAuthenticator, count: 3))
        #expect(try #require(after).methods == [.mobile()])
    }

    @Test(
        "section 2: a delete naming an instance the user does not hold is unchanged, never widened",
        arguments: [(id: "a9", value: ""), (id: "", value: "Galaxy"), (id: "a9", value: "Galaxy")])
    func selectsNothing(id: String, value: String) {
        expectUnchanged(user: Self.user, change: Change.delete(.microsoftAuthenticator, id: id, value: value))
    }

    @Test("section 2: hardware tokens are selected by serial and security keys by id")
    func selectsTokensAndKeys() {
        let user = makeUser(
            .hardwareOath("HW-1", id: "t1"), .hardwareOath("HW-2", id: "t2"), .fido2("f1"), .fido2("f2"),
            .softwareOath("s1"), .softwareOath("s2"))
        let evaluation = evaluate(
            user,
            [
                Change.delete(.hardwareOath, value: "HW-2"), Change.delete(.fido2, id: "f1"),
                Change.delete(.softwareOath),
            ])
        #expect(evaluation.results.map(\.outcome) == [.applied, .applied, .applied])
        #expect(evaluation.results.map(\.deleted.count) == [1, 1, 2])
        #expect(evaluation.after?.methods == [.hardwareOath("HW-1", id: "t1"), .fido2("f2")])
    }

    @Test("section 2: a delete of a single-instance method takes it")
    func deleteSingle() {
        let user = makeUser(.mobile(), .office(), .email(), .securityQuestions(4), default: .sms)
        let changes = [Change.delete(.email), Change.delete(.securityQuestions), Change.delete(.officePhone)]
        let evaluation = evaluate(user, changes)
        #expect(evaluation.results.map(\.outcome) == [.applied, .applied, .applied])
        #expect(evaluation.results.map(\.deleted) == [[.email], [.securityQuestions], [.officePhone]])
        #expect(evaluation.after == makeUser(.mobile(), default: .sms))
    }

    // MARK: require-reregister

    static let full = makeUser(
        .mobile(), .alternate(), .office(), .authenticator("a1"), .authenticator("a2"), .softwareOath("s1"),
        .hardwareOath("HW-1"), .fido2("f1"), .email(), .securityQuestions(3), default: .push)

    @Test("require-reregister: deletes phones, microsoftAuthenticator and softwareOath; keeps the rest")
    func reregister() throws {
        let (result, after) = evaluateOne(Self.full, Change.requireReregister())
        #expect(result.outcome == .applied)
        #expect(result.rule == nil)
        let user = try #require(after)
        #expect(user.methods == [.hardwareOath("HW-1"), .fido2("f1"), .email(), .securityQuestions(3)])
        #expect(user.defaultMethod == DefaultMethod.none)
        #expect(user.name == Self.full.name && user.isAdmin == Self.full.isAdmin)
    }

    @Test("require-reregister: every instance removed counts as a delete (R-THRESHOLD-DELETES)")
    func reregisterCountsDeletes() {
        let (result, _) = evaluateOne(Self.full, Change.requireReregister())
        #expect(result.deleted.count == 6)
        #expect(
            result.deleted.sorted() == [
                .microsoftAuthenticator, .microsoftAuthenticator, .softwareOath, .mobilePhone, .alternateMobilePhone,
                .officePhone,
            ])
        #expect(result.added.isEmpty)
    }

    @Test("require-reregister: the default becomes none even when a kept token backs it")
    func reregisterResetsDefault() {
        let user = makeUser(.hardwareOath("HW-1"), .mobile(), default: .oath)
        let (result, after) = evaluateOne(user, Change.requireReregister())
        #expect(result.outcome == .applied)
        #expect(after == makeUser(.hardwareOath("HW-1"), default: .none))
        #expect(result.after.contains(.defaultMethod(DefaultMethod.none)))
    }

    @Test("require-reregister: a default alone is reset")
    func reregisterDefaultOnly() {
        let user = makeUser(.hardwareOath("HW-1"), default: .oath)
        let (result, after) = evaluateOne(user, Change.requireReregister())
        #expect(result.outcome == .applied)
        #expect(result.deleted.isEmpty)
        #expect(after?.defaultMethod == DefaultMethod.none)
    }
}
