import Foundation
import Testing

/// The repository's samples, run as the README runs them.
@Suite("Samples")
struct SamplesTests {
    let exports = Fixtures.path(Fixtures.samples, "exports")
    let changes = Fixtures.path(Fixtures.samples, "changes.csv")
    let policy = Fixtures.path(Fixtures.samples, "policy.json")

    @Test("plan on the samples: each change's outcome and rule, woodgrove held, exit 3")
    func planSamples() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "plan", "--export", exports, "--changes", changes, "--policy", policy, "--report", workspace.path("report"),
        ])
        #expect(run.exitCode == 3, "\(run.standardError)")
        let expected = try readCSV(Fixtures.path(Fixtures.folder, "samples-expected.csv"))
        let reported = try readCSV(workspace.path("report/changes.csv"))
        try #require(reported.count == expected.count)
        for (want, got) in zip(expected, reported) {
            #expect(
                [got["change_id"], got["outcome"], got["rule"]] == [want["change_id"], want["outcome"], want["rule"]],
                "got \(got)")
        }
        // The table on stdout names every tenant and the held one.
        for tenant in ["contoso", "fabrikam", "tailspin", "woodgrove"] { #expect(run.standardOutput.contains(tenant)) }
        #expect(run.standardOutput.contains("held: woodgrove"))
        // Under cron the warnings go to stderr, the summary to stdout.
        #expect(run.standardError.contains("woodgrove"))
    }

    @Test("apply on the samples: the held tenant's rows are written as they were, the others changed")
    func applySamples() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "apply", "--export", exports, "--changes", changes, "--policy", policy, "--output", workspace.path("out"),
            "--report", workspace.path("report"),
        ])
        #expect(run.exitCode == 3)
        #expect(workspace.contents(of: "out") == ["contoso.csv", "fabrikam.csv", "woodgrove-and-tailspin.csv"])
        let written = try readCSV(workspace.path("out/woodgrove-and-tailspin.csv"))
        let original = try readCSV(Fixtures.path(Fixtures.samples, "exports", "woodgrove-and-tailspin.csv"))
        func values(_ rows: [[String: String]], tenant: String) -> [String] {
            rows.filter { $0["tenant"] == tenant }.map {
                "\($0["user"]!) \($0["method"]!) \($0["value"]!) \($0["default_method"]!)"
            }
        }
        #expect(values(written, tenant: "woodgrove") == values(original, tenant: "woodgrove"))
        // c29 deleted rupert's mobile and moved the default to none; c31 added sybil's token.
        #expect(
            values(written, tenant: "tailspin") == [
                "rupert@tailspin.io email rupert.home@gmail.com none",
                "sybil@tailspin.io microsoftAuthenticator Sybil's iPhone push",
                "sybil@tailspin.io fido2 Titan Key push",
                "sybil@tailspin.io hardwareOath TOTP-0042 push",
            ])
        // The output is written in secinfo's column order, LF only, whatever the input's order and line ends.
        let fabrikam = try String(contentsOfFile: workspace.path("out/fabrikam.csv"), encoding: .utf8)
        #expect(fabrikam.hasPrefix("tenant,user,admin,default_method,method,method_id,value\n"))
        #expect(!fabrikam.contains("\r"))
        let summary = try readSummary(workspace.path("report"))
        #expect(summary.value(at: "tenants.woodgrove.deletes.held") as? Bool == true)
        #expect(summary.int(at: "tenants.woodgrove.deletes.count") == 4)
        #expect(summary.int(at: "tenants.woodgrove.deletes.limit") == 2)
        #expect(summary["balanced"] as? Bool == true)
    }

    @Test("--allow-deletes lifts one tenant's hold for this run and the report records the reason")
    func allowDeletes() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "apply", "--export", exports, "--changes", changes, "--policy", policy, "--output", workspace.path("out"),
            "--report", workspace.path("report"), "--allow-deletes", "woodgrove=4", "--reason", "CHG-3001 approved",
        ])
        #expect(run.exitCode == 1)
        let outcomes = try readCSV(workspace.path("report/changes.csv"))
        #expect(outcomes.first { $0["change_id"] == "c27" }?["outcome"] == "applied")
        #expect(outcomes.first { $0["change_id"] == "c28" }?["rule"] == "R-POLICY-DISABLED")
        let summary = try readSummary(workspace.path("report"))
        #expect(summary.value(at: "options.reason") as? String == "CHG-3001 approved")
        #expect(summary.value(at: "tenants.woodgrove.deletes.raisedByAllowDeletes") as? Bool == true)
        let niaj = try readCSV(workspace.path("out/woodgrove-and-tailspin.csv")).filter {
            $0["user"] == "niaj@woodgrove.com"
        }
        #expect(niaj.map { [$0["method"]!, $0["default_method"]!] } == [["", "none"]])
    }

    @Test("--allow-deletes without --reason is a usage error, exit 2")
    func allowDeletesNeedsReason() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "apply", "--export", exports, "--changes", changes, "--output", workspace.path("out"),
            "--allow-deletes", "woodgrove=4",
        ])
        #expect(run.exitCode == 2)
        #expect(run.standardError.contains("--reason"))
        #expect(workspace.contents(of: "out").isEmpty)
    }

    @Test("validate audits the exports alone: findings per user, exit 0")
    func validateSamples() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "validate", "--export", exports, "--policy", policy, "--report", workspace.path("report"),
        ])
        #expect(run.exitCode == 0, "\(run.standardError)")
        let findings = try readCSV(workspace.path("report/findings.csv"))
        func has(_ user: String, _ finding: String) -> Bool {
            findings.contains { $0["user"] == user && $0["finding"] == finding }
        }
        #expect(has("bob@contoso.com", "F-NO-MFA"))
        #expect(has("bob@contoso.com", "F-SSPR-SHORT"))
        #expect(has("erin@contoso.com", "F-SQ-ADMIN"))
        #expect(has("grace@contoso.com", "F-NO-MFA"))
        #expect(has("mallory@fabrikam.com", "F-METHOD-DISABLED"))
        #expect(has("niaj@woodgrove.com", "F-METHOD-DISABLED"))
        #expect(!has("alice@contoso.com", "F-NO-MFA"))
        #expect(
            workspace.contents(of: "report") == [
                "changes.csv", "findings.csv", "rejected.csv", "report.html", "summary.json",
            ])
        let summary = try readSummary(workspace.path("report"))
        #expect(summary.int(at: "total.users.before") == 16)
        #expect(summary.int(at: "total.findings.F-NO-MFA") == findings.count { $0["finding"] == "F-NO-MFA" })
    }
}
