import Testing

@testable import SecurityInfo

/// R-THRESHOLD-DELETES: a tenant's applied deletes above `maxDeletes` or `maxDeletePercent` hold the tenant.
@Suite("R-THRESHOLD-DELETES: DeleteThreshold")
struct DeleteThresholdTests {
    @Test(
        "R-THRESHOLD-DELETES: held only when the deletes exceed maxDeletes",
        arguments: [(500, 500, false), (500, 501, true), (3, 3, false), (3, 4, true), (0, 0, false), (0, 1, true)])
    func maxDeletes(limit: Int, deletes: Int, holds: Bool) {
        let threshold = DeleteThreshold(policy: .with { $0.maxDeletes = limit }, methodsBefore: 10_000)
        #expect(threshold.holds(deletes: deletes) == holds)
        #expect(threshold.limit == limit)
        #expect(!threshold.isOverride)
    }

    @Test("R-THRESHOLD-DELETES: the built-in limit is 500")
    func builtIn() {
        let threshold = DeleteThreshold(policy: TenantPolicy(), methodsBefore: 1_000_000)
        #expect(!threshold.holds(deletes: 500))
        #expect(threshold.holds(deletes: 501))
    }

    @Test(
        "R-THRESHOLD-DELETES: held when the deletes exceed maxDeletePercent of the tenant's methods",
        arguments: [
            (10.0, 50, 5, false), (10.0, 50, 6, true), (10.0, 40, 4, false), (10.0, 40, 5, true),
            (10.0, 45, 4, false), (10.0, 45, 5, true), (0.0, 100, 0, false), (0.0, 100, 1, true),
            (100.0, 7, 7, false), (100.0, 7, 8, true), (50.0, 0, 1, true),
        ])
    func maxDeletePercent(percent: Double, methodsBefore: Int, deletes: Int, holds: Bool) {
        let policy = TenantPolicy.with { $0.maxDeletePercent = percent }
        let threshold = DeleteThreshold(policy: policy, methodsBefore: methodsBefore)
        #expect(threshold.holds(deletes: deletes) == holds, "limit \(threshold.limit)")
    }

    @Test("R-THRESHOLD-DELETES: whichever limit is lower decides")
    func lowerLimitDecides() {
        let policy = TenantPolicy.with {
            $0.maxDeletes = 3
            $0.maxDeletePercent = 50
        }
        let fewMethods = DeleteThreshold(policy: policy, methodsBefore: 4)
        #expect(!fewMethods.holds(deletes: 2) && fewMethods.holds(deletes: 3))
        let manyMethods = DeleteThreshold(policy: policy, methodsBefore: 1_000)
        #expect(!manyMethods.holds(deletes: 3) && manyMethods.holds(deletes: 4))
    }

    @Test(
        "R-THRESHOLD-DELETES: --allow-deletes TENANT=N replaces both limits for the run",
        arguments: [(100, 100, false), (100, 101, true), (2, 2, false), (2, 3, true), (0, 1, true)])
    func allowance(allowance: Int, deletes: Int, holds: Bool) {
        let policy = TenantPolicy.with {
            $0.maxDeletes = 3
            $0.maxDeletePercent = 1
        }
        let threshold = DeleteThreshold(policy: policy, methodsBefore: 100, allowance: allowance)
        #expect(threshold.isOverride)
        #expect(threshold.limit == allowance)
        #expect(threshold.holds(deletes: deletes) == holds)
    }

    @Test("R-THRESHOLD-DELETES: the message gives the count and the limit, and names an allowance")
    func message() {
        let policy = TenantPolicy.with { $0.maxDeletes = 3 }
        let plain = DeleteThreshold(policy: policy, methodsBefore: 10).message(deletes: 4)
        #expect(plain.contains("4") && plain.contains("3"))
        #expect(!plain.contains("--allow-deletes"))
        let raised = DeleteThreshold(policy: policy, methodsBefore: 10, allowance: 7).message(deletes: 8)
        #expect(raised.contains("7") && raised.contains("--allow-deletes"))
    }

    @Test("R-THRESHOLD-DELETES: a held change keeps nothing of its effect, and says what it would have been")
    func heldChange() {
        let user = makeUser(.authenticator("a1"), .authenticator("a2"), .mobile(), default: .push)
        let (result, _) = evaluateOne(user, Change.delete(.microsoftAuthenticator))
        #expect(result.deleted.count == 2)
        let held = result.held(because: "the tenant's 2 deletes exceed the limit of 1")
        #expect(held.outcome == .held)
        #expect(held.rule == .thresholdDeletes)
        #expect(held.added.isEmpty && held.deleted.isEmpty && !held.createdUser)
        #expect(held.message.contains("would be applied"))

        let (created, _) = evaluateOne(nil, Change.add(.mobilePhone, Fixture.mobile), createUsers: true)
        #expect(created.createdUser)
        #expect(!created.held(because: "held").createdUser)

        let (rejected, _) = evaluateOne(user, Change.add(.fido2, "key"))
        let heldRejection = rejected.held(because: "held")
        #expect(heldRejection.rule == .thresholdDeletes)
        #expect(heldRejection.message.contains(RuleID.addUserOnly.rawValue))
    }

    @Test("R-THRESHOLD-DELETES: deletes are counted per instance removed, by delete and by require-reregister")
    func deletesCounted() {
        let user = makeUser(
            .authenticator("a1"), .authenticator("a2"), .softwareOath("s1"), .mobile(), .alternate(), .office(),
            .hardwareOath("HW-1"), .hardwareOath("HW-2"), default: .push)
        let evaluation = evaluate(user, [Change.delete(.hardwareOath), Change.requireReregister()])
        let deletes = evaluation.results.reduce(0) { $0 + $1.deleted.count }
        #expect(deletes == 8)
        let methodsBefore = user.methods.count
        let policy = TenantPolicy.with { $0.maxDeletePercent = 90 }
        #expect(!DeleteThreshold(policy: policy, methodsBefore: methodsBefore).holds(deletes: deletes - 1))
        #expect(
            DeleteThreshold(policy: .with { $0.maxDeletes = 7 }, methodsBefore: methodsBefore).holds(deletes: deletes))
    }
}
