import Testing

@testable import SecurityInfo

/// "A change that would leave the state as it is comes back `unchanged` before any other check of the state",
/// and so a re-run batch applies nothing twice (RULES.md section 3, after the table).
@Suite("Unchanged and the re-run property")
struct UnchangedTests {
    static let reject = TenantPolicy.with { $0.onDefaultDelete = .reject }

    static let noOps: [Scenario] = [
        Scenario(
            "edit to the current value with a stale expect (not R-EXPECT-MISMATCH)", user: makeUser(.mobile()),
            change: Change.edit(.mobilePhone, "+1 (425) 555-0100", expect: "+1 4255550177")),
        Scenario(
            "edit of email to the current address in another case, stale expect", user: makeUser(.email()),
            change: Change.edit(.email, "Alice@Outlook.com", expect: "bob@outlook.com")),
        Scenario(
            "add of the phone already there with a stale expect (not R-EXPECT-MISMATCH)", user: makeUser(.mobile()),
            change: Change.add(.mobilePhone, "+14255550100", expect: "+1 4255550177")),
        Scenario(
            "add of an alternate already there while the mobile is missing (not R-PHONE-ALT-REQUIRES-MOBILE)",
            user: makeUser(.alternate()), change: Change.add(.alternateMobilePhone, Fixture.alternate)),
        Scenario(
            "add of a held serial at five apps (not R-AUTHAPP-MAX-5)",
            user: makeUser(
                .authenticator("a1"), .authenticator("a2"), .softwareOath("s1"), .softwareOath("s2"),
                .hardwareOath("HW-1")),
            change: Change.add(.hardwareOath, "HW-1", expect: "HW-7")),
        Scenario(
            "delete of an absent method with an expect (not R-EXPECT-MISMATCH)", user: makeUser(.authenticator("a1")),
            change: Change.delete(.officePhone, expect: Fixture.office)),
        Scenario(
            "delete of an absent mobile while an alternate exists (not R-PHONE-MOBILE-WITH-ALT)",
            user: makeUser(.alternate()), change: Change.delete(.mobilePhone)),
        Scenario(
            "delete of an absent authenticator id (not R-DEFAULT-DELETE)",
            user: makeUser(.authenticator("a1"), .mobile(), default: .push),
            change: Change.delete(.microsoftAuthenticator, id: "a9"), policy: reject),
        Scenario(
            "set-default to the current default with a stale expect", user: makeUser(.mobile(), default: .sms),
            change: Change.setDefault("SMS", expect: "push")),
        Scenario(
            "set-default to the current default that nothing backs (not R-DEFAULT-BACKING)",
            user: makeUser(.email(), default: .push), change: Change.setDefault(.push)),
        Scenario(
            "require-reregister of a user with nothing to remove and no default",
            user: makeUser(.email(), .hardwareOath("HW-1"), .fido2("f1"), .securityQuestions(3)),
            change: Change.requireReregister()),
    ]

    @Test("unchanged comes before every check of the state", arguments: noOps)
    func unchangedFirst(scenario: Scenario) {
        expectUnchanged(user: scenario.user, change: scenario.change, policy: scenario.policy)
    }

    @Test("unchanged does not bypass the checks of the row: R-PHONE-FORMAT still refuses a masked current value")
    func unchangedAfterRowChecks() {
        expectRefusal(
            .phoneFormat, user: makeUser(.mobile("+1 XXXXXXXX00")), change: Change.add(.mobilePhone, "+1 XXXXXXXX00"))
    }

    // MARK: Re-runs

    struct Batch: Sendable, CustomTestStringConvertible {
        let label: String
        let user: User?
        let changes: [ChangeRequest]
        let policy: TenantPolicy
        let createUsers: Bool
        var testDescription: String { label }

        init(
            _ label: String, user: User?, changes: [ChangeRequest], policy: TenantPolicy = TenantPolicy(),
            createUsers: Bool = false
        ) {
            self.label = label
            self.user = user
            self.changes = changes
            self.policy = policy
            self.createUsers = createUsers
        }
    }

    static let batches: [Batch] = [
        Batch(
            "SPEC.md's sample rows and more",
            user: makeUser(
                .authenticator("a1f0"), .authenticator("b2"), .mobile(), .securityQuestions(3), default: .push),
            changes: [
                Change.edit(.mobilePhone, Fixture.otherMobile, expect: Fixture.mobile),
                Change.setDefault(.sms),
                Change.add(.email, Fixture.email),
                Change.add(.hardwareOath, "HW-0001", id: "t1"),
                Change.delete(.microsoftAuthenticator, id: "a1f0"),
                Change.add(.officePhone, "+1 (425) 555-0122 x45"),
            ]),
        Batch(
            "require-reregister of a full user",
            user: makeUser(
                .mobile(), .alternate(), .office(), .authenticator("a1"), .softwareOath("s1"), .hardwareOath("HW-1"),
                .email(), default: .push),
            changes: [Change.requireReregister()]),
        Batch(
            "a created user gets phones and a default", user: nil,
            changes: [
                Change.add(.mobilePhone, "+14255550100"), Change.add(.alternateMobilePhone, "+1 425 555 0111"),
                Change.setDefault(.voiceAlternateMobile),
            ],
            createUsers: true),
        Batch(
            "the alternate, then the mobile",
            user: makeUser(.mobile(), .alternate(), .authenticator("a1"), default: .voiceAlternateMobile),
            changes: [Change.delete(.alternateMobilePhone), Change.delete(.mobilePhone)]),
        Batch(
            "a delete that moves the default, then a delete of every token",
            user: makeUser(
                .authenticator("a1"), .softwareOath("s1"), .hardwareOath("HW-1"), .hardwareOath("HW-2"),
                default: .push),
            changes: [Change.delete(.microsoftAuthenticator, value: "Alice's iPhone"), Change.delete(.hardwareOath)]),
        Batch(
            "edits with expects",
            user: makeUser(.mobile(), .office(), .email(), default: .voiceOffice),
            changes: [
                Change.edit(.officePhone, "+1 4255550166x7", expect: Fixture.office),
                Change.edit(.email, Fixture.otherEmail, expect: Fixture.email),
            ]),
    ]

    @Test("re-run: a batch evaluated on the state it produced applies nothing", arguments: batches)
    func rerun(batch: Batch) {
        let first = evaluate(batch.user, batch.changes, policy: batch.policy, createUsers: batch.createUsers)
        #expect(first.results.allSatisfy { $0.outcome == .applied }, "every change applies the first time")
        let second = evaluate(first.after, batch.changes, policy: batch.policy, createUsers: batch.createUsers)
        #expect(second.results.map(\.outcome) == Array(repeating: .unchanged, count: batch.changes.count))
        #expect(second.after == first.after)
        #expect(!second.createdUser)
    }

    @Test("re-run: a batch that undoes itself is the exception RULES.md names")
    func rerunSelfUndoing() {
        let changes = [Change.add(.officePhone, Fixture.office), Change.delete(.officePhone)]
        let first = evaluate(makeUser(), changes)
        let second = evaluate(first.after, changes)
        #expect(second.results.map(\.outcome) == [.applied, .applied])
    }

    // MARK: Property: generated batches

    /// What a change touches; a generated batch touches each at most once, so it never undoes itself.
    enum Slot: Hashable {
        case method(MethodKind)
        case defaultMethod
    }

    static let numbers = [
        Fixture.mobile, Fixture.otherMobile, "+14255550111", "+1 (425) 555-0122", "+44 20 7946 0958",
        "+1 4255550122x45", "+1 XXXXXXXX00",
    ]
    static let addresses = [Fixture.email, "ALICE@outlook.com", Fixture.otherEmail, "alice@contoso.com", "bad"]
    static let serials = ["HW-1", "HW-2", "HW-3", "hw-1", "HW_4"]
    static let policies: [TenantPolicy] = [
        TenantPolicy(), reject, .disabling(.sms), .disabling(.voice), .with { $0.officePhoneAllowed = false },
        .disabling(.microsoftAuthenticator, .hardwareOath), .disabling(.email),
    ]

    static func generateUser(_ random: inout SeededGenerator) -> User? {
        if random.chance(0.1) { return nil }
        var methods: [MethodInstance] = []
        let hasMobile = random.chance(0.6)
        if hasMobile { methods.append(.mobile(random.pick([Fixture.mobile, Fixture.otherMobile]))) }
        if hasMobile && random.chance(0.4) { methods.append(.alternate()) }
        if random.chance(0.4) { methods.append(.office(random.pick([Fixture.office, "+1 4255550122x45"]))) }
        if random.chance(0.5) { methods.append(.email()) }
        for index in 0..<Int.random(in: 0...2, using: &random) {
            methods.append(.authenticator("a\(index)", "d\(index)"))
        }
        if random.chance(0.4) { methods.append(.softwareOath("s0")) }
        for index in 0..<Int.random(in: 0...2, using: &random) { methods.append(.hardwareOath("HW-\(index + 1)")) }
        if random.chance(0.3) { methods.append(.fido2("f0")) }
        if random.chance(0.3) { methods.append(.securityQuestions(3)) }
        methods.shuffle(using: &random)
        let defaultMethod = random.pick(DefaultMethod.allCases)
        return User(name: Fixture.userName, isAdmin: random.chance(0.2), defaultMethod: defaultMethod, methods: methods)
    }

    static func generateChange(_ random: inout SeededGenerator) -> (ChangeRequest, Set<Slot>) {
        let expect = random.chance(0.15) ? random.pick(numbers + addresses + ["push", "sms"]) : ""
        switch Int.random(in: 0..<5, using: &random) {
        case 0:
            let kind = random.pick([
                MethodKind.mobilePhone, .alternateMobilePhone, .officePhone, .email, .hardwareOath, .fido2,
            ])
            let value =
                kind == .email ? random.pick(addresses) : kind.isPhone ? random.pick(numbers) : random.pick(serials)
            return (Change.add(kind, value, expect: expect), [.method(kind)])
        case 1:
            let kind = random.pick([MethodKind.mobilePhone, .alternateMobilePhone, .officePhone, .email, .fido2])
            let value = kind == .email ? random.pick(addresses) : random.pick(numbers)
            return (Change.edit(kind, value, expect: expect), [.method(kind)])
        case 2:
            let kind = random.pick(MethodKind.allCases)
            let id = random.chance(0.4) ? random.pick(["a0", "a1", "s0", "f0", "zz"]) : ""
            let value = random.chance(0.3) ? random.pick(serials + ["d0", "d1"]) : ""
            return (Change.delete(kind, id: id, value: value, expect: expect), [.method(kind)])
        case 3:
            let target = random.pick(DefaultMethod.settable.map(\.rawValue) + ["email"])
            return (Change.setDefault(target, expect: expect), [.defaultMethod])
        default:
            let kinds: [MethodKind] = [
                .mobilePhone, .alternateMobilePhone, .officePhone, .microsoftAuthenticator, .softwareOath,
            ]
            return (Change.requireReregister(expect: expect), Set(kinds.map(Slot.method)).union([.defaultMethod]))
        }
    }

    static func generateBatch(_ random: inout SeededGenerator) -> [ChangeRequest] {
        var changes: [ChangeRequest] = []
        var touched: Set<Slot> = []
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            let (change, slots) = generateChange(&random)
            guard touched.isDisjoint(with: slots) else { continue }
            touched.formUnion(slots)
            changes.append(change)
        }
        return changes
    }

    @Test("re-run property: over generated batches, no change applies twice", arguments: [1, 2, 3, 4] as [UInt64])
    func rerunProperty(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var applied = 0
        for iteration in 0..<500 {
            let user = Self.generateUser(&random)
            let changes = Self.generateBatch(&random)
            let policy = random.pick(Self.policies)
            let first = evaluate(user, changes, policy: policy, createUsers: true)
            let again = evaluate(user, changes, policy: policy, createUsers: true)
            #expect(again.results == first.results && again.after == first.after, "deterministic, case \(iteration)")
            let second = evaluate(first.after, changes, policy: policy, createUsers: true)
            applied += first.results.count { $0.outcome == .applied }
            for (index, (before, after)) in zip(first.results, second.results).enumerated()
            where before.outcome == .applied {
                #expect(
                    after.outcome != .applied,
                    "seed \(seed) case \(iteration): change \(index) applied twice: \(changes) on \(user as Any)"
                )
            }
            if !first.results.contains(where: { $0.outcome == .rejected }) {
                #expect(!second.results.contains { $0.outcome == .applied }, "seed \(seed) case \(iteration)")
                #expect(second.after == first.after, "seed \(seed) case \(iteration)")
            }
        }
        #expect(applied > 200, "the generator exercises applied changes (\(applied))")
    }
}
