import Foundation
import SecurityInfo
import SecurityInfoFormats
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
        totals.rowsWritten = 7
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
        rows.rowsWritten = 6
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

@Suite("summary.json written a tenant at a time")
struct SummaryStreamingTests {
    static func summary(tenants names: [String], total: TenantTotals = TenantTotals(tenant: "")) -> SummaryReport {
        var configuration = BatchConfiguration(command: .apply, exportPaths: ["in/export.csv"], changesPath: "c.csv")
        configuration.outputDirectory = "out/dir"
        configuration.deleteAllowances = ["t10": 3]
        let tenants = names.enumerated().map { index, name in
            var totals = TenantTotals(tenant: name)
            totals.changes = .init(read: index, applied: index, unchanged: 0, rejected: 0, held: 0)
            if index % 2 == 0 { totals.methods[.mobilePhone] = .init(before: 1, added: index, deleted: 0, after: 1) }
            if index % 3 == 0 { totals.findings[.noMFA] = index }
            totals.exportFile = "in/\(name).csv"
            return totals
        }
        return SummaryReport(
            configuration: configuration, startedAt: Date(timeIntervalSince1970: 0),
            endedAt: Date(timeIntervalSince1970: 1),
            inputs: [.init(path: "in/x", role: "export", sha256: "ab", bytes: 3)],
            tenants: tenants, total: total, exitCode: 1)
    }

    @Test(
        "the same bytes as encoding the whole document at once",
        arguments: [[], ["contoso"], ["t9", "t10", "T1", "a_b", "a-b", "a.b", "A", "a", "z0", "Z0", "1x"]])
    func sameBytes(tenants: [String]) throws {
        let summary = Self.summary(tenants: tenants)
        let sink = MemoryByteSink()
        try summary.write(to: sink)
        #expect(sink.text == summary.json())
        #expect(sink.text.contains("\"tenants\" : {") || tenants.isEmpty)
    }
}
