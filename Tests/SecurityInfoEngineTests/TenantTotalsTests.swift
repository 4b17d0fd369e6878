import SecurityInfo
import Testing

@testable import SecurityInfoEngine

@Suite("Control totals")
struct TenantTotalsTests {
    func balanced() -> TenantTotals {
        var totals = TenantTotals(tenant: "contoso")
        totals.changes = .init(read: 4, applied: 1, unchanged: 1, rejected: 1, held: 1)
        totals.methods[.mobilePhone] = .init(before: 3, added: 1, deleted: 2, after: 2)
        totals.users = .init(before: 5, created: 1, after: 6)
        totals.rowsRead = 7
        totals.rowsReread = 7
        return totals
    }

    @Test("totals that add up balance")
    func balances() {
        #expect(balanced().isBalanced)
        #expect(balanced().problems.isEmpty)
    }

    @Test("a change read but not decided, a method miscounted, a user lost, a row unread: each is named")
    func imbalances() {
        var changes = balanced()
        changes.changes.read = 5
        #expect(changes.problems == ["contoso: 5 changes read, 4 decided"])

        var methods = balanced()
        methods.methods[.mobilePhone]!.after = 3
        #expect(methods.problems == ["contoso: mobilePhone 3 + 1 − 2 ≠ 3 written"])

        var users = balanced()
        users.users.after = 5
        #expect(users.problems == ["contoso: users 5 + 1 ≠ 5 written"])

        var rows = balanced()
        rows.rowsReread = 6
        #expect(!rows.isBalanced)
    }

    @Test("the total is the sum of the tenants")
    func sum() {
        var other = balanced()
        other.tenant = "fabrikam"
        other.findings[.noMFA] = 2
        let total = TenantTotals.sum([balanced(), other])
        #expect(total.changes.read == 8)
        #expect(total.methods[.mobilePhone] == .init(before: 6, added: 2, deleted: 4, after: 4))
        #expect(total.findings[.noMFA] == 2)
        #expect(total.isBalanced)
    }
}
