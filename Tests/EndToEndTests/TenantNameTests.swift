import Foundation
import Testing

/// Safety settings that name tenants are held against the tenants the exports hold: what can only be a mistake
/// stops the run (exit 2, nothing written), what a legitimate run may do is a warning.
@Suite("Tenant names in options and the policy")
struct TenantNameTests {
    let exports = Fixtures.path(Fixtures.samples, "exports")
    let changes = Fixtures.path(Fixtures.samples, "changes.csv")

    struct Case: CustomTestStringConvertible, Sendable {
        var testDescription: String
        var arguments: [String]
        var policy: String?
        var words: String
    }

    static let errors: [Case] = [
        Case(
            testDescription: "a policy tenant differing from an export's only in case",
            arguments: [], policy: #"{"tenants": {"Woodgrove": {"maxDeletes": 100}}}"#, words: "'woodgrove'"),
        Case(
            testDescription: "a repeated key in the policy", arguments: [],
            policy: #"{"tenants": {"woodgrove": {"maxDeletes": 100}, "woodgrove": {"maxDeletes": 1}}}"#,
            words: "given twice"),
        Case(
            testDescription: "--tenant differing from an export's only in case", arguments: ["--tenant", "Contoso"],
            words: "'contoso'"),
        Case(
            testDescription: "--tenant naming no tenant at all", arguments: ["--tenant", "nowhere"],
            words: "names no tenant the exports hold"),
        Case(
            testDescription: "--allow-deletes naming no export's tenant",
            arguments: ["--allow-deletes", "woodgrov=10", "--reason", "cleanup"], words: "no export holds"),
        Case(
            testDescription: "--allow-deletes outside --tenant",
            arguments: ["--tenant", "contoso", "--allow-deletes", "woodgrove=10", "--reason", "cleanup"],
            words: "outside --tenant"),
        Case(
            testDescription: "--allow-deletes giving one tenant twice",
            arguments: ["--allow-deletes", "woodgrove=10", "--allow-deletes", "woodgrove=20", "--reason", "x"],
            words: "twice"),
    ]

    @Test("an ambiguous safety setting is an error: exit 2, nothing written", arguments: errors)
    func refused(_ testCase: Case) throws {
        let workspace = try Workspace()
        var arguments = ["apply", "--export", exports, "--changes", changes] + testCase.arguments
        if let policy = testCase.policy { arguments += ["--policy", try workspace.write(policy, to: "policy.json")] }
        arguments += ["--output", workspace.path("out"), "--report", workspace.path("report")]
        let run = try SecInfo.run(arguments)
        #expect(run.exitCode == 2, "\(run.standardError)")
        #expect(run.standardError.contains(testCase.words), "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("out")))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("report")))
    }

    @Test("a policy tenant or a --tenant that no export holds, beside others that are held, is a warning")
    func warned() throws {
        let workspace = try Workspace()
        let policy = try workspace.write(#"{"tenants": {"elsewhere": {"maxDeletes": 1}}}"#, to: "policy.json")
        let run = try SecInfo.run([
            "plan", "--export", exports, "--changes", changes, "--policy", policy, "--tenant", "contoso",
            "--tenant", "nowhere", "--report", workspace.path("report"),
        ])
        #expect(run.exitCode == 1, "\(run.standardError)")
        #expect(run.standardError.contains("tenant=elsewhere") && run.standardError.contains("policy names a tenant"))
        #expect(run.standardError.contains("tenant=nowhere") && run.standardError.contains("--tenant names a tenant"))
    }
}
