import Foundation
import Testing

/// Bad input stops the run with exit 2, a message naming the file, line and column, and nothing written.
@Suite("Bad input")
struct InputErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var fixture: String
        var isChangeFile: Bool
        /// `file:line:column` (or `file:line`) the message must name.
        var location: String
        var words: String
        var testDescription: String { fixture }
    }

    static let cases: [Case] = [
        Case(
            fixture: "unterminated-quote.csv", isChangeFile: false, location: "unterminated-quote.csv:3:59",
            words: "never closed"),
        Case(fixture: "user-rows-apart.csv", isChangeFile: false, location: "user-rows-apart.csv:4:7", words: "line 2"),
        Case(fixture: "bad-tenant.csv", isChangeFile: false, location: "bad-tenant.csv:2:1", words: "../../etc"),
        Case(fixture: "invalid-utf8.csv", isChangeFile: false, location: "invalid-utf8.csv:2:40", words: "UTF-8"),
        Case(
            fixture: "wrong-field-count.csv", isChangeFile: false, location: "wrong-field-count.csv:2:57",
            words: "expected 7 fields"),
        Case(
            fixture: "duplicate-change-ids.csv", isChangeFile: true, location: "duplicate-change-ids.csv:4:1",
            words: "line 2"),
    ]

    @Test("exit 2 with file:line:column, and no output or report written", arguments: cases)
    func badInput(_ testCase: Case) throws {
        let workspace = try Workspace()
        let fixture = Fixtures.path(Fixtures.broken, testCase.fixture)
        let exports = testCase.isChangeFile ? Fixtures.path(Fixtures.scenarioA, "exports") : fixture
        let changes = testCase.isChangeFile ? fixture : Fixtures.path(Fixtures.scenarioA, "changes-clean.csv")
        let run = try SecInfo.run([
            "apply", "--export", exports, "--changes", changes, "--output", workspace.path("out"),
            "--report", workspace.path("report"),
        ])
        #expect(run.exitCode == 2)
        #expect(run.standardError.contains(testCase.location), "\(run.standardError)")
        #expect(run.standardError.contains(testCase.words), "\(run.standardError)")
        #expect(run.standardOutput.isEmpty)
        #expect(workspace.contents(of: "out").isEmpty)
        #expect(workspace.contents(of: "report").isEmpty)
    }

    @Test("an existing output is left exactly as it was when the input is bad")
    func existingOutputUntouched() throws {
        let workspace = try Workspace()
        try FileManager.default.createDirectory(atPath: workspace.path("out"), withIntermediateDirectories: true)
        let before = try workspace.write("previous run\n", to: "out/unterminated-quote.csv")
        let run = try SecInfo.run([
            "apply", "--export", Fixtures.path(Fixtures.broken, "unterminated-quote.csv"),
            "--changes", Fixtures.path(Fixtures.scenarioA, "changes-clean.csv"), "--output", workspace.path("out"),
        ])
        #expect(run.exitCode == 2)
        #expect(try String(contentsOfFile: before, encoding: .utf8) == "previous run\n")
        #expect(workspace.contents(of: "out") == ["unterminated-quote.csv"])
    }

    @Test(
        "usage errors exit 2",
        arguments: [
            ["apply", "--export", "Samples/exports", "--changes", "Samples/changes.csv"],
            ["plan", "--export", "Samples/exports"],
            ["plan", "--changes", "Samples/changes.csv"],
            ["plan", "--export", "Samples/exports", "--changes", "Samples/changes.csv", "--bogus"],
            ["plan", "--export", "Samples/no-such-folder", "--changes", "Samples/changes.csv"],
            ["plan", "--export", "Samples/exports", "--changes", "Samples/changes.csv", "--allow-deletes", "contoso"],
        ])
    func usageErrors(_ arguments: [String]) throws {
        let run = try SecInfo.run(arguments, in: Fixtures.repository)
        #expect(run.exitCode == 2, "\(arguments): \(run.standardError)")
        #expect(!run.standardError.isEmpty)
    }

    @Test("a policy out of range or with an unknown field is an input error naming the field")
    func badPolicy() throws {
        let workspace = try Workspace()
        for (policy, words) in [
            (#"{"tenants": {"alpha": {"ssprMethodsRequired": 3}}}"#, "tenants.alpha: ssprMethodsRequired"),
            (#"{"defaults": {"maxDelete": 3}}"#, "maxDelete"),
            (#"{"defaults": {"enabledMethods": ["sms", "carrierPigeon"]}}"#, "carrierPigeon"),
        ] {
            let path = try workspace.write(policy, to: "policy.json")
            let run = try SecInfo.run([
                "plan", "--export", Fixtures.path(Fixtures.scenarioA, "exports"),
                "--changes", Fixtures.path(Fixtures.scenarioA, "changes-clean.csv"), "--policy", path,
                "--report", workspace.path("report"),
            ])
            #expect(run.exitCode == 2)
            #expect(
                run.standardError.contains("policy.json") && run.standardError.contains(words), "\(run.standardError)")
            #expect(workspace.contents(of: "report").isEmpty)
        }
    }

    @Test("--help names every exit code SPEC.md gives")
    func helpNamesExitCodes() throws {
        let help = try SecInfo.run(["--help"])
        #expect(help.exitCode == 0)
        let text = help.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for code in [
            "0 every", "1 some", "2 usage", "3 a tenant", "4 a stale plan", "70 the control", "74 an output",
            "75 another run",
        ] {
            #expect(text.contains(code), "\(code) missing from --help")
        }
    }

    @Test("a control character in a CSV value stops the run at it (exit 2), rather than convert failing to write it")
    func controlCharacterInValue() throws {
        let workspace = try Workspace()
        let export = try workspace.write(
            "tenant,user,admin,default_method,method,method_id,value\nt1,a@t1.test,false,none,fido2,,Key\u{0}1\n",
            to: "nul.csv")
        let run = try SecInfo.run(["convert", "--from", export, "--to", workspace.path("out.xml")])
        #expect(run.exitCode == 2, "\(run.standardError)")
        #expect(run.standardError.contains("nul.csv:2:35"), "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("out.xml")))
    }
}
