import Foundation
import Testing

/// Hostile and broken files (issue 3): each stops the run with exit 2 and a message naming the file and line
/// (and column where known), quickly, and leaves nothing in the output or report folder.
@Suite("Hostile and broken input", .tags(.slow))
struct HostileInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var fixture: String
        var isChangeFile = false
        /// What the message must name: `file:line` or `file:line:column`.
        var location: String
        var words: String
        var testDescription: String { fixture }
    }

    static let cases: [Case] = [
        Case(fixture: "xxe.xml", location: "xxe.xml:2:1", words: "DOCTYPE is not allowed"),
        Case(fixture: "billion-laughs.xml", location: "billion-laughs.xml:2:1", words: "DOCTYPE is not allowed"),
        Case(fixture: "bomb.csv.gz", location: "bomb.csv.gz:", words: "--max-input-bytes"),
        Case(fixture: "truncated.csv.gz", location: "truncated.csv.gz:3:", words: "truncated"),
        Case(fixture: "bad-crc.csv.gz", location: "bad-crc.csv.gz:4:1", words: "incorrect data check"),
        Case(fixture: "trailing-garbage.csv.gz", location: "trailing-garbage.csv.gz:", words: "corrupt"),
        Case(fixture: "unclosed-tag.xml", location: "unclosed-tag.xml:6:", words: "mismatch"),
        Case(fixture: "wrong-root.xml", location: "wrong-root.xml:2:1:", words: "root element"),
        Case(fixture: "unknown-element.xml", location: "unknown-element.xml:6:7:", words: "<password>"),
        Case(fixture: "unknown-attribute.xml", location: "unknown-attribute.xml:4:5:", words: "'manager'"),
        Case(
            fixture: "unknown-change-attribute.xml", isChangeFile: true, location: "unknown-change-attribute.xml:4:3:",
            words: "'methd'"),
        Case(fixture: "invalid-utf8.xml", location: "invalid-utf8.xml:5:", words: "UTF-8"),
        Case(fixture: "bad-tenant.xml", location: "bad-tenant.xml:3:3:", words: "../../etc"),
    ]

    @Test("exit 2, the file and line named, nothing written", arguments: cases)
    func refused(_ testCase: Case) throws {
        let workspace = try Workspace()
        let fixture = Fixtures.path(Fixtures.hostile, testCase.fixture)
        let exports = testCase.isChangeFile ? Fixtures.path(Fixtures.scenarioA, "exports") : fixture
        let changes = testCase.isChangeFile ? fixture : Fixtures.path(Fixtures.scenarioA, "changes-clean.csv")
        // The bomb expands to 200 MB; a 20 MB limit keeps the (debug) test quick.
        let run = try SecInfo.run(
            [
                "apply", "--export", exports, "--changes", changes, "--output", workspace.path("out"),
                "--report", workspace.path("report"), "--max-input-bytes", "20000000",
            ], timeout: 60)
        #expect(run.exitCode == 2, "\(run.standardOutput)")
        #expect(run.standardError.contains(testCase.location), "\(run.standardError)")
        #expect(run.standardError.contains(testCase.words), "\(run.standardError)")
        #expect(!run.standardError.contains("root:"), "a file's content leaked into the message")
        #expect(workspace.contents(of: "out").isEmpty)
        #expect(workspace.contents(of: "report").isEmpty)
    }

    @Test("a gzip of two members (as `cat a.gz b.gz` makes) is read whole")
    func twoMembers() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "validate", "--export", Fixtures.path(Fixtures.hostile, "two-members.csv.gz"),
            "--report", workspace.path("report"),
        ])
        #expect(run.exitCode == 0, "\(run.standardError)")
        let summary = try readSummary(workspace.path("report"))
        #expect(summary.int(at: "tenants.alpha.users.before") == 3)
    }

    /// libxml2's time grows with the square of an element's attributes: 100,000 took 96 s before they were bounded.
    @Test(
        "an element with 100,000 attributes is refused at its tag, before the parser sees it, in an export or changes",
        arguments: [false, true])
    func manyAttributes(inChangeFile: Bool) throws {
        let workspace = try Workspace()
        let attributes = (0..<100_000).map { " a\($0)=\"1\"" }.joined()
        let export = try workspace.write(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <securityInfoExport version="1">
              <tenant id="alpha">
                <user upn="x@alpha.test"\(inChangeFile ? "" : attributes)/>
              </tenant>
            </securityInfoExport>

            """, to: "export.xml")
        let changes = try workspace.write(
            """
            <securityInfoChanges version="1">
              <change id="c1" tenant="alpha" user="x@alpha.test" operation="require-reregister"\(inChangeFile ? attributes : "")/>
            </securityInfoChanges>

            """, to: "changes.xml")
        let run = try SecInfo.run(
            [
                "apply", "--export", export, "--changes", changes, "--output", workspace.path("out"),
                "--report", workspace.path("report"),
            ], timeout: 60)
        #expect(run.exitCode == 2)
        let location = inChangeFile ? "changes.xml:2:3:" : "export.xml:4:5:"
        #expect(run.standardError.contains(location), "\(run.standardError)")
        #expect(run.standardError.contains("more than 32 attributes"), "\(run.standardError)")
        #expect(workspace.contents(of: "out").isEmpty)
    }

    @Test(
        "hostile Graph exports: exit 2 at the line and column, nothing written",
        arguments: [
            (String(repeating: "[", count: 10_000), "nested deeper"),
            (##"{"tenant":"t","userPrincipalName":"u","securityQuestions":1e999999}"##, "expected a count"),
            (##"{"tenant":"t","userPrincipalName":"u","userPrincipalName":"v"}"##, "given twice"),
            (##"{"tenant":"../x","userPrincipalName":"u"}"##, "'../x' is not"),
            (
                ##"{"tenant":"t","userPrincipalName":"u","methods":[{"@odata.type":"#microsoft.graph.emailAuthenticationMethod"}]}"##,
                "without its emailAddress"
            ),
            (##"{"tenant":"t","userPrincipalName":"u""##, "expected ',' or '}'"),
            // 5 MB of small objects: a JSON tape and tree of well over 100 MB, refused at its first byte.
            (
                ##"{"tenant":"t","userPrincipalName":"u","methods":["##
                    + Array(repeating: ##"{"a":1}"##, count: 700_000).joined(separator: ",") + "]}",
                "a line runs past 2 MiB"
            ),
        ])
    func hostileGraph(line: String, words: String) throws {
        let workspace = try Workspace()
        let good = ##"{"tenant":"t","userPrincipalName":"ok@t"}"##
        let export = try workspace.write(good + "\n" + line, to: "g.jsonl")
        let run = try SecInfo.run(
            [
                "apply", "--export", export, "--changes", Fixtures.path(Fixtures.scenarioA, "changes-clean.csv"),
                "--output", workspace.path("out"), "--report", workspace.path("report"),
            ], timeout: 60)
        #expect(run.exitCode == 2)
        #expect(run.standardError.contains("g.jsonl:2:"), "\(run.standardError)")
        #expect(run.standardError.contains(words), "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("out")))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("report")))
    }

    @Test("the invalid UTF-8 CSV is refused too, at its cell")
    func invalidUTF8CSV() throws {
        let run = try SecInfo.run([
            "validate", "--export", Fixtures.path(Fixtures.broken, "invalid-utf8.csv"),
        ])
        #expect(run.exitCode == 2)
        #expect(run.standardError.contains("invalid-utf8.csv:2:40"))
    }
}
