import Foundation
import Testing

/// Scenario A: three tenants under three policies, 45 changes whose expected outcome and rule were worked out by
/// hand from RULES.md and stand in the change file's extra columns (which secinfo ignores, as SPEC.md says).
@Suite("Scenario A: several tenants, dozens of changes")
struct ScenarioTests {
    let changes = Fixtures.path(Fixtures.scenarioA, "changes.csv")
    let exports = Fixtures.path(Fixtures.scenarioA, "exports")
    let policy = Fixtures.path(Fixtures.scenarioA, "policy.json")

    @Test("apply decides every change as RULES.md says, and exits 1 for the rejections")
    func outcomesMatchTheRules() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "apply", "--export", exports, "--changes", changes, "--policy", policy,
            "--output", workspace.path("out"), "--report", workspace.path("report"),
        ])
        #expect(run.exitCode == 1, "\(run.standardError)")

        let expected = try readCSV(changes)
        let reported = try readCSV(workspace.path("report/changes.csv"))
        try #require(reported.count == expected.count)
        for (want, got) in zip(expected, reported) {
            #expect(got["change_id"] == want["change_id"])
            #expect(
                got["outcome"] == want["expected_outcome"] && got["rule"] == want["expected_rule"],
                "\(want["change_id"]!): got \(got["outcome"]!) \(got["rule"]!) (\(got["message"]!))")
        }

        let rejected = try readCSV(workspace.path("report/rejected.csv"))
        #expect(
            rejected.map { $0["change_id"] }
                == expected.filter { $0["expected_outcome"] == "rejected" }.map { $0["change_id"] })
        // Rejected rows go out as read: the extra columns too, unmasked.
        let a15 = try #require(rejected.first { $0["change_id"] == "a15" })
        #expect(a15["value"] == "+1 2125550105x1")
        #expect(a15["expected_rule"] == "R-PHONE-EXT-OFFICE-ONLY")
        #expect(a15["rule"] == "R-PHONE-EXT-OFFICE-ONLY")
    }

    @Test("the written export holds each user's new state, in the input's order")
    func writtenExport() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "apply", "--export", exports, "--changes", changes, "--policy", policy, "--output", workspace.path("out"),
        ])
        #expect(run.exitCode == 1)
        #expect(workspace.contents(of: "out") == ["alpha.csv", "beta-gamma.csv"])

        let alpha = try readCSV(workspace.path("out/alpha.csv"))
        func rows(_ user: String, in rows: [[String: String]]) -> [[String: String]] {
            rows.filter { $0["user"] == user }
        }
        // a01 then a03: the number edited and normalised, the app deleted, the default moved to sms.
        #expect(
            rows("u01@alpha.test", in: alpha).map { [$0["method"]!, $0["value"]!, $0["default_method"]!] } == [
                ["mobilePhone", "+1 2125550111", "sms"]
            ])
        // a06, a07: no methods left, one row with an empty method, default none.
        #expect(rows("u02@alpha.test", in: alpha).map { [$0["method"]!, $0["default_method"]!] } == [["", "none"]])
        // a18 added a token at the end; a21 deleted both apps; the default moved to oath.
        #expect(rows("u06@alpha.test", in: alpha).map { $0["value"]! } == ["B1", "C1", "Key", "C-2"])
        #expect(Set(rows("u06@alpha.test", in: alpha).map { $0["default_method"]! }) == ["oath"])
        #expect(alpha.map { $0["user"]! }.uniqued() == (1...6).map { "u0\($0)@alpha.test" })

        let betaGamma = try readCSV(workspace.path("out/beta-gamma.csv"))
        #expect(
            rows("v02@beta.test", in: betaGamma).map { [$0["method"]!, $0["value"]!, $0["default_method"]!] } == [
                ["email", "v02@mail.example", "none"]
            ])
        #expect(rows("w01@gamma.test", in: betaGamma).map { $0["value"]! } == ["+49 15112345678", "w01@gamma.test"])
    }

    @Test("the control totals balance, and the methods after are what the written files hold")
    func totalsBalance() throws {
        let workspace = try Workspace()
        _ = try SecInfo.run([
            "apply", "--export", exports, "--changes", changes, "--policy", policy,
            "--output", workspace.path("out"), "--report", workspace.path("report"),
        ])
        let summary = try readSummary(workspace.path("report"))
        #expect(summary["balanced"] as? Bool == true)
        #expect(summary.int(at: "exitCode") == 1)
        let recounted = try countMethods(inExports: [
            workspace.path("out/alpha.csv"), workspace.path("out/beta-gamma.csv"),
        ])
        for tenant in ["alpha", "beta", "gamma"] {
            #expect(summary.value(at: "tenants.\(tenant).balanced") as? Bool == true)
            let methods = try #require(summary.value(at: "tenants.\(tenant).methods") as? [String: [String: Int]])
            for (kind, counts) in methods {
                #expect(counts["after"]! == recounted[tenant]?[kind] ?? 0, "\(tenant) \(kind)")
                #expect(counts["before"]! + counts["added"]! - counts["deleted"]! == counts["after"]!)
            }
        }
        let expected = try readCSV(changes)
        for outcome in ["applied", "unchanged", "rejected", "held"] {
            #expect(summary.int(at: "total.changes.\(outcome)") == expected.count { $0["expected_outcome"] == outcome })
        }
        #expect(summary.int(at: "total.changes.read") == expected.count)
        // u02 and u03's deletes: a03 1, a06 1, a07 1, a09 1, a21 2.
        #expect(summary.int(at: "tenants.alpha.deletes.count") == 6)
        let inputs = try #require(summary["inputs"] as? [[String: Any]])
        #expect(inputs.count == 4)
        #expect(inputs.allSatisfy { ($0["sha256"] as? String)?.count == 64 })
    }

    @Test("re-running the batch on its own output applies nothing twice, and a third run changes nothing")
    func rerunAppliesNothingTwice() throws {
        let workspace = try Workspace()
        var outcomes: [[[String: String]]] = []
        var exportFolder = exports
        for run in 1...3 {
            let result = try SecInfo.run([
                "apply", "--export", exportFolder, "--changes", changes, "--policy", policy,
                "--output", workspace.path("out\(run)"), "--report", workspace.path("report\(run)"),
            ])
            #expect(result.exitCode == 1)
            outcomes.append(try readCSV(workspace.path("report\(run)/changes.csv")))
            exportFolder = workspace.path("out\(run)")
        }
        // Every change applied the first time meets the state it produced and comes back unchanged.
        for (first, second) in zip(outcomes[0], outcomes[1]) where first["outcome"] == "applied" {
            #expect(second["outcome"] == "unchanged", "\(first["change_id"]!) applied twice")
        }
        // A change the first run rejected may apply once a later change made room: a19, the sixth token,
        // after a21 deleted two apps. Nothing else does.
        #expect(outcomes[1].filter { $0["outcome"] == "applied" }.map { $0["change_id"]! } == ["a19"])
        #expect(outcomes[2].filter { $0["outcome"] == "applied" }.isEmpty)
        for name in ["alpha.csv", "beta-gamma.csv"] {
            let second = try String(contentsOfFile: workspace.path("out2/\(name)"), encoding: .utf8)
            let third = try String(contentsOfFile: workspace.path("out3/\(name)"), encoding: .utf8)
            #expect(second == third, "\(name) changed on the third run")
        }
    }

    @Test("plan decides exactly as apply does, exits with apply's code, and writes no export")
    func planMatchesApply() throws {
        let workspace = try Workspace()
        let plan = try SecInfo.run([
            "plan", "--export", exports, "--changes", changes, "--policy", policy, "--report", workspace.path("plan"),
        ])
        let apply = try SecInfo.run([
            "apply", "--export", exports, "--changes", changes, "--policy", policy, "--output", workspace.path("out"),
            "--report", workspace.path("apply"),
        ])
        #expect(plan.exitCode == apply.exitCode)
        let planned = try String(contentsOfFile: workspace.path("plan/changes.csv"), encoding: .utf8)
        let applied = try String(contentsOfFile: workspace.path("apply/changes.csv"), encoding: .utf8)
        #expect(planned == applied)
        #expect(
            workspace.contents(of: "plan") == [
                "changes.csv", "findings.csv", "rejected.csv", "report.html", "summary.json",
            ])
        #expect(plan.standardOutput.contains("alpha"))
    }

    @Test("a batch whose every change applies or is unchanged exits 0")
    func cleanBatchExitsZero() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "apply", "--export", exports, "--changes", Fixtures.path(Fixtures.scenarioA, "changes-clean.csv"),
            "--policy", policy, "--output", workspace.path("out"), "--report", workspace.path("report"),
        ])
        #expect(run.exitCode == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(
            try readCSV(workspace.path("report/changes.csv")).map { $0["outcome"]! } == [
                "applied", "applied", "applied", "applied",
            ])
        #expect(try readCSV(workspace.path("report/rejected.csv")).isEmpty)
    }

    @Test("--tenant keeps the run to one tenant: the others' changes are R-TENANT-SCOPE and their data untouched")
    func tenantScope() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "apply", "--export", exports, "--changes", changes, "--policy", policy, "--tenant", "beta",
            "--output", workspace.path("out"), "--report", workspace.path("report"),
        ])
        #expect(run.exitCode == 1)
        let outcomes = try readCSV(workspace.path("report/changes.csv"))
        let expected = try readCSV(changes)
        for (row, want) in zip(outcomes, expected) where row["tenant"] != "beta" {
            // R-INPUT-ROW comes first in RULES.md's order; every other change outside --tenant is out of scope.
            let rule = want["expected_rule"] == "R-INPUT-ROW" ? "R-INPUT-ROW" : "R-TENANT-SCOPE"
            #expect(row["rule"] == rule, "\(row["change_id"]!)")
        }
        for (row, want) in zip(outcomes, expected) where row["tenant"] == "beta" {
            #expect(row["outcome"] == want["expected_outcome"], "\(row["change_id"]!)")
        }
        let original = try String(
            contentsOfFile: Fixtures.path(Fixtures.scenarioA, "exports", "alpha.csv"), encoding: .utf8)
        #expect(try String(contentsOfFile: workspace.path("out/alpha.csv"), encoding: .utf8) == original)
        let gamma = try readCSV(workspace.path("out/beta-gamma.csv")).filter { $0["tenant"] == "gamma" }
        #expect(gamma.map { $0["value"]! } == ["+49 1511234567", "w01@private.example", "W2 phone", "4"])
    }

    @Test("--create-users lets an add create a user, written after the tenant's last user")
    func createUsers() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "apply", "--export", exports, "--changes", changes, "--policy", policy, "--create-users",
            "--output", workspace.path("out"), "--report", workspace.path("report"),
        ])
        #expect(run.exitCode == 1)
        let a22 = try #require(try readCSV(workspace.path("report/changes.csv")).first { $0["change_id"] == "a22" })
        #expect(a22["outcome"] == "applied")
        let alpha = try readCSV(workspace.path("out/alpha.csv"))
        #expect(alpha.last?["user"] == "u07@alpha.test")
        #expect(alpha.last?["value"] == "+1 2125550107")
        let summary = try readSummary(workspace.path("report"))
        #expect(summary.int(at: "tenants.alpha.users.created") == 1)
        #expect(summary.int(at: "tenants.alpha.users.after") == 7)
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
