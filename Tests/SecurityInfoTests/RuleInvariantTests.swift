import Testing

@testable import SecurityInfo

/// Properties no batch may break, over random users, policies and change sequences (a seed each, so a failure
/// repeats): a default that had its method keeps one (R-DEFAULT-BACKING, R-DEFAULT-DELETE), and method ids name
/// one instance (R-METHOD-ID-TAKEN).
@Suite("Rule invariants")
struct RuleInvariantTests {
    @Test("No change leaves a stored default without a method the user holds to back it", arguments: 0..<8)
    func defaultKeepsItsBacking(seed: UInt64) {
        var random = SeededGenerator(seed: 0xDEFA_0000 + seed)
        for _ in 0..<2_000 {
            var state: User? = Self.randomUser(&random)
            let policy = Self.randomPolicy(&random)
            for change in Self.randomChanges(&random, count: Int.random(in: 1...6, using: &random)) {
                guard let before = state else { break }
                let evaluation = RuleEngine.evaluate(user: before, policy: policy, changes: [change])
                let after = evaluation.after!
                if RuleEngine.holdsBacking(of: before.defaultMethod, in: before) {
                    #expect(
                        RuleEngine.holdsBacking(of: after.defaultMethod, in: after),
                        "\(change.operation) \(change.method) left \(after.defaultMethod) unbacked: \(before) → \(after)"
                    )
                }
                if evaluation.results[0].outcome != .applied { #expect(after == before) }
                state = after
            }
        }
    }

    @Test("No change gives two instances one method id", arguments: 0..<8)
    func methodIDsStayUnique(seed: UInt64) {
        var random = SeededGenerator(seed: 0x1D00_0000 + seed)
        var refusedForTakenID = 0
        for _ in 0..<2_000 {
            let user = Self.randomUser(&random)
            let changes = Self.randomChanges(&random, count: Int.random(in: 1...8, using: &random))
            let evaluation = RuleEngine.evaluate(user: user, policy: Self.randomPolicy(&random), changes: changes)
            let ids = evaluation.after!.methods.map { $0.id.lowercased() }.filter { !$0.isEmpty }
            #expect(Set(ids).count == ids.count, "\(user) → \(evaluation.after!)")
            refusedForTakenID += evaluation.results.count { $0.rule == .methodIDTaken }
        }
        #expect(refusedForTakenID > 0, "the generator must try taken ids for the property to mean something")
    }

    // MARK: Random users, policies and changes

    /// A few values of each kind, some shared between users, so adds and deletes meet what is there.
    static let ids = ["", "", "m1", "m2", "M1", "m3"]
    static let values: [MethodKind: [String]] = [
        .microsoftAuthenticator: ["iPhone", "Pixel"], .softwareOath: ["Authy", "1Password"],
        .hardwareOath: ["HW-1", "HW-2", "HW-3"], .mobilePhone: [Fixture.mobile, Fixture.otherMobile],
        .alternateMobilePhone: [Fixture.alternate], .officePhone: [Fixture.office, "+1 4255550122x12"],
        .email: [Fixture.email, Fixture.otherEmail], .securityQuestions: ["3", "5"], .fido2: ["YubiKey"],
    ]

    /// A user with unique non-empty method ids and a default drawn from all seven values.
    static func randomUser(_ random: inout SeededGenerator) -> User {
        var user = User(name: Fixture.userName, isAdmin: random.chance(0.1))
        user.defaultMethod = random.pick(DefaultMethod.allCases)
        var taken: Set<String> = []
        for kind in MethodKind.allCases where random.chance(0.45) {
            let count = kind.allowsManyInstances ? Int.random(in: 1...2, using: &random) : 1
            for _ in 0..<count {
                var id = random.pick(ids)
                if taken.contains(id.lowercased()) { id = "" }
                if !id.isEmpty { taken.insert(id.lowercased()) }
                user.methods.append(MethodInstance(kind: kind, id: id, value: random.pick(values[kind]!)))
            }
        }
        return user
    }

    static func randomPolicy(_ random: inout SeededGenerator) -> TenantPolicy {
        TenantPolicy.with { policy in
            policy.enabledMethods = Set(PolicyMethod.allCases.filter { _ in random.chance(0.75) })
            policy.officePhoneAllowed = random.chance(0.8)
            policy.onDefaultDelete = random.chance(0.5) ? .reassign : .reject
        }
    }

    static func randomChanges(_ random: inout SeededGenerator, count: Int) -> [ChangeRequest] {
        (0..<count).map { _ in
            let kind = random.pick(MethodKind.allCases)
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4: return Change.add(kind, random.pick(values[kind]!), id: random.pick(ids))
            case 4..<5: return Change.edit(kind, random.pick(values[kind]!))
            case 5..<8:
                let selector = Int.random(in: 0..<3, using: &random)
                return Change.delete(
                    kind, id: selector == 0 ? random.pick(ids) : "",
                    value: selector == 1 ? random.pick(values[kind]!) : "")
            case 8: return Change.setDefault(random.pick(DefaultMethod.allCases))
            default: return Change.requireReregister()
            }
        }
    }
}
