import Foundation
import Testing

/// Outputs never land on inputs or on each other, however the paths are spelled, and a run that fails leaves no
/// folder it made behind.
@Suite("Output placement")
struct OutputPlacementTests {
    /// A copy of the sample exports and change file, and the bytes of each, to show they were not touched.
    struct Inputs {
        let workspace: Workspace
        let exports: String
        let changes: String
        let bytes: [String: Data]

        init() throws {
            workspace = try Workspace()
            exports = try workspace.copy(Fixtures.path(Fixtures.samples, "exports"), as: "in")
            changes = try workspace.copy(Fixtures.path(Fixtures.samples, "changes.csv"), as: "changes.csv")
            var bytes: [String: Data] = [:]
            for name in workspace.contents(of: "in") + ["../changes.csv"] {
                bytes[name] = try Data(contentsOf: URL(fileURLWithPath: exports + "/" + name))
            }
            self.bytes = bytes
        }

        func expectUntouched(sourceLocation: SourceLocation = #_sourceLocation) throws {
            for (name, data) in bytes {
                let now = try Data(contentsOf: URL(fileURLWithPath: exports + "/" + name))
                #expect(now == data, "\(name) changed", sourceLocation: sourceLocation)
            }
            #expect(workspace.contents(of: "in").count == 3, sourceLocation: sourceLocation)
        }
    }

    struct Clash: CustomTestStringConvertible, Sendable {
        var testDescription: String
        /// The arguments after the inputs, given the workspace; made by `prepare`, which may add links.
        var arguments: @Sendable (Workspace) throws -> [String]
        var words: String
    }

    static let clashes: [Clash] = [
        Clash(
            testDescription: "--output is the exports' folder",
            arguments: { ["apply", "--output", $0.path("in")] }, words: "over the input"),
        Clash(
            testDescription: "--output is the exports' folder, spelled with ..",
            arguments: { ["apply", "--output", $0.path("out/../in/.")] }, words: "over the input"),
        Clash(
            testDescription: "--output is a symlink to the exports' folder",
            arguments: { workspace in
                try FileManager.default.createSymbolicLink(atPath: workspace.path("link"), withDestinationPath: "in")
                return ["apply", "--output", workspace.path("link")]
            }, words: "over the input"),
        Clash(
            testDescription: "--output holds a hard link to an export under its name",
            arguments: { workspace in
                try FileManager.default.createDirectory(
                    atPath: workspace.path("out"), withIntermediateDirectories: true)
                try FileManager.default.linkItem(
                    atPath: workspace.path("in/contoso.csv"), toPath: workspace.path("out/contoso.csv"))
                return ["apply", "--output", workspace.path("out")]
            }, words: "over the input"),
        Clash(
            testDescription: "--report is the exports' folder",
            arguments: { ["plan", "--report", $0.path("in")] }, words: "read as exports"),
        Clash(
            testDescription: "--plan-file is the change file",
            arguments: { ["plan", "--plan-file", $0.path("./changes.csv")] }, words: "over the input"),
        Clash(
            testDescription: "--plan-file is in the report, as its summary.json",
            arguments: { ["plan", "--report", $0.path("report"), "--plan-file", $0.path("report/summary.json")] },
            words: "would both write"),
    ]

    @Test(
        "an output over an input or another output is refused up front: exit 2, named, nothing written",
        arguments: clashes)
    func refused(_ clash: Clash) throws {
        let inputs = try Inputs()
        let workspace = inputs.workspace
        var arguments = try clash.arguments(workspace)
        arguments.insert(contentsOf: ["--export", inputs.exports, "--changes", inputs.changes], at: 1)
        let run = try SecInfo.run(arguments)
        #expect(run.exitCode == 2, "\(run.standardError)")
        #expect(run.standardError.contains(clash.words), "\(run.standardError)")
        try inputs.expectUntouched()
        #expect(!FileManager.default.fileExists(atPath: workspace.path("report")))
    }

    @Test("--output and --report one folder with an export named changes.csv: refused, nothing written")
    func exportNamedLikeAReport() throws {
        let workspace = try Workspace()
        let export = try workspace.copy(Fixtures.path(Fixtures.samples, "exports/contoso.csv"), as: "changes.csv")
        let run = try SecInfo.run([
            "apply", "--export", export, "--changes", Fixtures.path(Fixtures.samples, "changes.csv"),
            "--output", workspace.path("both"), "--report", workspace.path("sub/../both"),
        ])
        #expect(run.exitCode == 2, "\(run.standardError)")
        #expect(run.standardError.contains("--output and --report would both write"), "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("both")))
    }

    @Test("--output and --report may share a folder when no names clash")
    func sharedFolder() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "apply", "--export", Fixtures.path(Fixtures.samples, "exports"), "--changes",
            Fixtures.path(Fixtures.samples, "changes.csv"), "--policy", Fixtures.path(Fixtures.samples, "policy.json"),
            "--output", workspace.path("both"), "--report", workspace.path("both"),
        ])
        #expect(run.exitCode == 3, "\(run.standardError)")
        #expect(workspace.contents(of: "both").count == 8)
    }

    @Test(
        "a run that fails leaves no folder it made: an input error (exit 2), a stale plan (exit 4), convert",
        arguments: ["input", "stale", "convert"])
    func noFolderLeft(_ failure: String) throws {
        let inputs = try Inputs()
        let workspace = inputs.workspace
        var arguments: [String]
        switch failure {
        case "input":
            let broken = try workspace.write("tenant,user\n\"contoso,a@b\n", to: "broken.csv")
            arguments = ["apply", "--export", inputs.exports, broken, "--changes", inputs.changes]
        case "stale":
            let plan = try SecInfo.run([
                "plan", "--export", inputs.exports, "--changes", inputs.changes, "--plan-file",
                workspace.path("p.json"),
            ])
            #expect(plan.exitCode == 1 || plan.exitCode == 3, "\(plan.standardError)")
            try "\n".write(toFile: inputs.exports + "/contoso.csv", atomically: false, encoding: .utf8)
            arguments = [
                "apply", "--export", inputs.exports, "--changes", inputs.changes, "--plan-file",
                workspace.path("p.json"),
            ]
        default:
            let broken = try workspace.write("tenant,user\n\"contoso,a@b\n", to: "broken.csv")
            let run = try SecInfo.run(["convert", "--from", broken, "--to", workspace.path("new/deeper/out.xml")])
            #expect(run.exitCode == 2, "\(run.standardError)")
            #expect(!FileManager.default.fileExists(atPath: workspace.path("new")))
            return
        }
        let run = try SecInfo.run(
            arguments + ["--output", workspace.path("new/deeper/out"), "--report", workspace.path("new/report")])
        #expect(run.exitCode == (failure == "stale" ? 4 : 2), "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("new")))
    }
}
