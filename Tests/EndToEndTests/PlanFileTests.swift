import Foundation
import Testing

/// `plan --plan-file P` then `apply --plan-file P`: the apply does exactly what was planned, or refuses.
@Suite("Plan files")
struct PlanFileTests {
    /// A copy of the samples the test may change, and the plan of the sample batch.
    func planned(_ workspace: Workspace, extra: [String] = []) throws -> [String] {
        _ = try workspace.copy(Fixtures.samples.path, as: "Samples")
        let inputs = [
            "--export", workspace.path("Samples/exports"), "--changes", workspace.path("Samples/changes.csv"),
            "--policy", workspace.path("Samples/policy.json"),
        ]
        let plan = try SecInfo.run(
            ["plan"] + inputs + extra + [
                "--plan-file", workspace.path("plan.json"), "--report", workspace.path("planned"),
            ])
        try #require(plan.exitCode == 3, "\(plan.standardError)")
        return inputs
    }

    @Test("apply with an unchanged plan applies, with the plan's outcomes and exit code")
    func applyMatchingPlan() throws {
        let workspace = try Workspace()
        let inputs = try planned(workspace)
        let apply = try SecInfo.run(
            ["apply"] + inputs + [
                "--plan-file", workspace.path("plan.json"), "--output", workspace.path("out"),
                "--report", workspace.path("applied"),
            ])
        #expect(apply.exitCode == 3, "\(apply.standardError)")
        #expect(workspace.contents(of: "out").count == 3)
        let planned = try String(contentsOfFile: workspace.path("planned/changes.csv"), encoding: .utf8)
        let applied = try String(contentsOfFile: workspace.path("applied/changes.csv"), encoding: .utf8)
        #expect(planned == applied)
        let plan = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: workspace.path("plan.json"))))
                as? [String: Any])
        #expect((plan["outcomes"] as? [[String: String]])?.count == 40)
        #expect((plan["inputs"] as? [[String: String]])?.allSatisfy { $0["sha256"]?.count == 64 } == true)
    }

    struct Drift: CustomTestStringConvertible, Sendable {
        var name: String
        var change: @Sendable (Workspace) throws -> [String]
        var words: String
        var testDescription: String { name }
    }

    static let drifts: [Drift] = [
        Drift(
            name: "an export changed",
            change: { workspace in
                let path = workspace.path("Samples/exports/contoso.csv")
                let text = try String(contentsOfFile: path, encoding: .utf8)
                try text.replacingOccurrences(of: "+1 2065550142", with: "+1 2065550149")
                    .write(toFile: path, atomically: true, encoding: .utf8)
                return []
            }, words: "contoso.csv changed"),
        Drift(
            name: "the policy changed",
            change: { workspace in
                try "{}".write(toFile: workspace.path("Samples/policy.json"), atomically: true, encoding: .utf8)
                return []
            }, words: "policy"),
        Drift(
            name: "the change file changed",
            change: { workspace in
                let path = workspace.path("Samples/changes.csv")
                try (String(contentsOfFile: path, encoding: .utf8) + "c99,contoso,bob@contoso.com,delete,email,,,,\n")
                    .write(toFile: path, atomically: true, encoding: .utf8)
                return []
            }, words: "changes.csv changed"),
        Drift(name: "an option differs", change: { _ in ["--create-users"] }, words: "--create-users differs"),
        Drift(name: "a tenant filter was added", change: { _ in ["--tenant", "contoso"] }, words: "--tenant differs"),
        Drift(
            name: "the rules changed since the plan",
            change: { workspace in
                let path = workspace.path("plan.json")
                let text = try String(contentsOfFile: path, encoding: .utf8)
                try text.replacingOccurrences(of: "\"ruleVersion\" : \"", with: "\"ruleVersion\" : \"old-")
                    .write(toFile: path, atomically: true, encoding: .utf8)
                return []
            }, words: "the rules changed"),
    ]

    @Test("anything differing from the plan: exit 4, named, nothing written", arguments: drifts)
    func stalePlan(_ drift: Drift) throws {
        let workspace = try Workspace()
        let inputs = try planned(workspace)
        let extra = try drift.change(workspace)
        let apply = try SecInfo.run(
            ["apply"] + inputs + extra + [
                "--plan-file", workspace.path("plan.json"), "--output", workspace.path("out"),
                "--report", workspace.path("applied"),
            ])
        #expect(apply.exitCode == 4, "\(apply.standardError)")
        #expect(apply.standardError.contains(drift.words), "\(apply.standardError)")
        #expect(workspace.contents(of: "out").isEmpty)
        #expect(workspace.contents(of: "applied").isEmpty)
    }

    @Test("an export planned but not given is stale too")
    func missingInput() throws {
        let workspace = try Workspace()
        _ = try planned(workspace)
        let apply = try SecInfo.run([
            "apply", "--export", workspace.path("Samples/exports/contoso.csv"),
            "--changes", workspace.path("Samples/changes.csv"), "--policy", workspace.path("Samples/policy.json"),
            "--plan-file", workspace.path("plan.json"), "--output", workspace.path("out"),
        ])
        #expect(apply.exitCode == 4)
        #expect(apply.standardError.contains("fabrikam.csv was planned but is not given"))
    }

    @Test("an outcome differing from the plan while the inputs match fails loudly and writes nothing")
    func outcomeMismatch() throws {
        let workspace = try Workspace()
        let inputs = try planned(workspace)
        // Tamper with the plan's record of c01 only: the inputs still hash as planned.
        let path = workspace.path("plan.json")
        var plan = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var outcomes = try #require(plan["outcomes"] as? [[String: String]])
        outcomes[0]["outcome"] = "rejected"
        plan["outcomes"] = outcomes
        try JSONSerialization.data(withJSONObject: plan).write(to: URL(fileURLWithPath: path))
        let apply = try SecInfo.run(
            ["apply"] + inputs + ["--plan-file", path, "--output", workspace.path("out")])
        #expect(apply.exitCode == 70)
        #expect(apply.standardError.contains("c01: planned rejected"))
        #expect(workspace.contents(of: "out").isEmpty)
    }

    @Test("with --graph-requests the plan records the requests' digest: apply makes the same bytes, or refuses")
    func graphRequests() throws {
        let workspace = try Workspace()
        let inputs = try planned(workspace, extra: ["--graph-requests", workspace.path("planned.jsonl")])
        let plan = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: workspace.path("plan.json"))))
                as? [String: Any])
        #expect((plan["graphRequestsSHA256"] as? String)?.count == 64)
        let apply = try SecInfo.run(
            ["apply"] + inputs + [
                "--graph-requests", workspace.path("applied.jsonl"), "--plan-file", workspace.path("plan.json"),
                "--output", workspace.path("out"),
            ])
        #expect(apply.exitCode == 3, "\(apply.standardError)")
        let planned = try Data(contentsOf: URL(fileURLWithPath: workspace.path("planned.jsonl")))
        #expect(!planned.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: workspace.path("applied.jsonl"))) == planned)

        // Planned with requests, applied without: the plan does not fit the run.
        let without = try SecInfo.run(
            ["apply"] + inputs + ["--plan-file", workspace.path("plan.json"), "--output", workspace.path("out2")])
        #expect(without.exitCode == 4)
        #expect(without.standardError.contains("--graph-requests differs"))

        // A plan whose requests are not the ones apply makes: loud, nothing written.
        let path = workspace.path("plan.json")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let digest = try #require(plan["graphRequestsSHA256"] as? String)
        try text.replacingOccurrences(of: digest, with: String(repeating: "0", count: 64))
            .write(toFile: path, atomically: true, encoding: .utf8)
        let tampered = try SecInfo.run(
            ["apply"] + inputs + [
                "--graph-requests", workspace.path("again.jsonl"), "--plan-file", path, "--output",
                workspace.path("out3"),
            ])
        #expect(tampered.exitCode == 70)
        #expect(tampered.standardError.contains("the Graph requests differ from the plan's"))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("again.jsonl")))
        #expect(workspace.contents(of: "out3").isEmpty)
    }
}
