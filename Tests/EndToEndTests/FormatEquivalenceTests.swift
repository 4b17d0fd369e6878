import Foundation
import Testing

/// CSV, XML and Graph JSON Lines, each gzipped or not, are one model: every combination of export and change-file format gives
/// the same decisions and the same exports, and each output keeps its input's name, format and compression.
@Suite("Formats are equivalent")
struct FormatEquivalenceTests {
    static let exportForms = ["csv", "csv.gz", "xml", "xml.gz", "jsonl", "jsonl.gz"]
    static let changeForms = ["csv", "csv.gz", "xml", "xml.gz"]

    /// Scenario A's exports and change file in every form, made with `secinfo convert`.
    func prepare(_ workspace: Workspace) throws {
        for form in Self.exportForms {
            try FileManager.default.createDirectory(
                atPath: workspace.path("exports-\(form)"), withIntermediateDirectories: true)
            for name in ["alpha", "beta-gamma"] {
                let run = try SecInfo.run([
                    "convert", "--from", Fixtures.path(Fixtures.scenarioA, "exports", "\(name).csv"),
                    "--to", workspace.path("exports-\(form)/\(name).\(form)"),
                ])
                try #require(run.exitCode == 0, "\(run.standardError)")
            }
        }
        for form in Self.changeForms {
            let run = try SecInfo.run([
                "convert", "--from", Fixtures.path(Fixtures.scenarioA, "changes.csv"),
                "--to", workspace.path("changes.\(form)"),
            ])
            try #require(run.exitCode == 0, "\(run.standardError)")
        }
    }

    @Test(
        "24 combinations of export (CSV, XML, Graph JSON Lines) and change format: the same outcomes, totals and exports"
    )
    func allCombinations() throws {
        let workspace = try Workspace()
        try prepare(workspace)
        var baseline: (changes: String, exports: [String])?
        for exportForm in Self.exportForms {
            for changeForm in Self.changeForms {
                let name = "\(exportForm)-\(changeForm)"
                let run = try SecInfo.run([
                    "apply", "--export", workspace.path("exports-\(exportForm)"),
                    "--changes", workspace.path("changes.\(changeForm)"),
                    "--policy", Fixtures.path(Fixtures.scenarioA, "policy.json"),
                    "--output", workspace.path("out-\(name)"), "--report", workspace.path("report-\(name)"),
                ])
                #expect(run.exitCode == 1, "\(name): \(run.standardError)")
                // Each output keeps its input's name, and is gzip exactly when the input was.
                #expect(workspace.contents(of: "out-\(name)") == ["alpha.\(exportForm)", "beta-gamma.\(exportForm)"])
                for file in workspace.contents(of: "out-\(name)") {
                    #expect(try workspace.isGzip("out-\(name)/\(file)") == exportForm.hasSuffix(".gz"), "\(file)")
                }
                // Compare the decisions, and the exports in one form.
                let changes = try String(contentsOfFile: workspace.path("report-\(name)/changes.csv"), encoding: .utf8)
                var exports: [String] = []
                for file in ["alpha", "beta-gamma"] {
                    let csv = workspace.path("\(name)-\(file).csv")
                    let run = try SecInfo.run([
                        "convert", "--from", workspace.path("out-\(name)/\(file).\(exportForm)"), "--to", csv,
                    ])
                    #expect(run.exitCode == 0)
                    exports.append(try String(contentsOfFile: csv, encoding: .utf8))
                }
                if let baseline {
                    #expect(changes == baseline.changes, "\(name): changes.csv differs")
                    #expect(exports == baseline.exports, "\(name): the exports differ")
                } else {
                    baseline = (changes, exports)
                }
                let summary = try readSummary(workspace.path("report-\(name)"))
                #expect(summary["balanced"] as? Bool == true)
            }
        }
        let outcomes = try readCSV(Fixtures.path(Fixtures.scenarioA, "changes.csv")).map { $0["expected_outcome"]! }
        let reported = try readCSV(workspace.path("report-xml.gz-xml.gz/changes.csv")).map { $0["outcome"]! }
        #expect(reported == outcomes)
    }

    @Test("an export converted CSV → XML → CSV is identical in content, and XML → XML.gz → XML byte for byte")
    func convertRoundTrip() throws {
        let workspace = try Workspace()
        for name in ["contoso", "fabrikam", "woodgrove-and-tailspin"] {
            let original = Fixtures.path(Fixtures.samples, "exports", "\(name).csv")
            for (from, to) in [
                (original, "\(name).xml"), (workspace.path("\(name).xml"), "\(name).back.csv"),
                (workspace.path("\(name).xml"), "\(name).xml.gz"),
                (workspace.path("\(name).xml.gz"), "\(name).again.xml"),
            ] {
                let run = try SecInfo.run(["convert", "--from", from, "--to", workspace.path(to)])
                #expect(run.exitCode == 0, "\(run.standardError)")
            }
            let columns = ["tenant", "user", "admin", "default_method", "method", "method_id", "value"]
            let before = try readCSV(original).map { row in columns.map { row[$0]! } }
            let after = try readCSV(workspace.path("\(name).back.csv")).map { row in columns.map { row[$0]! } }
            #expect(before == after, "\(name): CSV → XML → CSV changed the content")
            #expect(try workspace.isGzip("\(name).xml.gz"))
            let xml = try Data(contentsOf: URL(fileURLWithPath: workspace.path("\(name).xml")))
            let again = try Data(contentsOf: URL(fileURLWithPath: workspace.path("\(name).again.xml")))
            #expect(xml == again)
        }
    }

    @Test(
        "an export converted CSV → Graph JSON Lines → CSV is identical in content; a Graph export to itself, byte for byte"
    )
    func graphRoundTrip() throws {
        let workspace = try Workspace()
        let columns = ["tenant", "user", "admin", "default_method", "method", "method_id", "value"]
        for name in ["contoso", "fabrikam", "woodgrove-and-tailspin"] {
            let original = Fixtures.path(Fixtures.samples, "exports", "\(name).csv")
            for (from, to) in [(original, "\(name).jsonl"), (workspace.path("\(name).jsonl"), "\(name).back.csv")] {
                let run = try SecInfo.run(["convert", "--from", from, "--to", workspace.path(to)])
                #expect(run.exitCode == 0, "\(run.standardError)")
            }
            let before = try readCSV(original).map { row in columns.map { row[$0]! } }
            let after = try readCSV(workspace.path("\(name).back.csv")).map { row in columns.map { row[$0]! } }
            #expect(before == after, "\(name): CSV → JSON Lines → CSV changed the content")
        }
        // The Graph sample (a realistic dump: every method type, nulls, fields Graph may add) through gzip and back.
        let dump = Fixtures.path(Fixtures.samples, "exports-jsonl", "contoso.jsonl")
        for (from, to) in [(dump, "dump.jsonl.gz"), (workspace.path("dump.jsonl.gz"), "dump.jsonl")] {
            let run = try SecInfo.run(["convert", "--from", from, "--to", workspace.path(to)])
            #expect(run.exitCode == 0, "\(run.standardError)")
        }
        #expect(try workspace.isGzip("dump.jsonl.gz"))
        let again = try Data(contentsOf: URL(fileURLWithPath: workspace.path("dump.jsonl")))
        #expect(again == (try Data(contentsOf: URL(fileURLWithPath: dump))))
        // To CSV, what CSV cannot hold is said.
        let toCSV = try SecInfo.run(["convert", "--from", dump, "--to", workspace.path("dump.csv")])
        #expect(
            toCSV.standardOutput.contains("not carried: methods outside the nine: passwordAuthenticationMethod (7)"))
        #expect(toCSV.standardOutput.contains("not carried: users' object ids (7)"))
    }

    @Test("a generated export through all three formats, CSV → JSON Lines → XML → CSV, keeps every row")
    func generatedThroughAllFormats() throws {
        let workspace = try Workspace()
        let generate = try SecInfo.run([
            "generate", "--tenants", "7", "--users", "5000", "--seed", "9", "--out", workspace.path("g"),
        ])
        try #require(generate.exitCode == 0, "\(generate.standardError)")
        var from = workspace.path("g/export.csv")
        for to in ["g.jsonl.gz", "g.xml", "g.csv"] {
            let run = try SecInfo.run(["convert", "--from", from, "--to", workspace.path(to)])
            #expect(run.exitCode == 0, "\(to): \(run.standardError)")
            from = workspace.path(to)
        }
        // A user's security-questions row comes last from a Graph line: rows compared as a set, per file.
        let original = try String(contentsOfFile: workspace.path("g/export.csv"), encoding: .utf8)
        let back = try String(contentsOfFile: workspace.path("g.csv"), encoding: .utf8)
        #expect(original.split(separator: "\n").sorted() == back.split(separator: "\n").sorted())
        #expect(original.split(separator: "\n").count > 10_000)
    }

    @Test(
        "compression is told by the bytes, not the name: a gzip file named .csv stays gzip, and a plain .csv.gz plain")
    func compressionByMagic() throws {
        let workspace = try Workspace()
        try FileManager.default.createDirectory(atPath: workspace.path("in"), withIntermediateDirectories: true)
        // gzip bytes under a plain name, and plain bytes under a gzip name.
        _ = try workspace.copy(
            Fixtures.path(Fixtures.samples, "exports-csv-gz", "contoso.csv.gz"), as: "in/contoso.csv")
        _ = try workspace.copy(Fixtures.path(Fixtures.samples, "exports", "fabrikam.csv"), as: "in/fabrikam.csv.gz")
        let run = try SecInfo.run([
            "apply", "--export", workspace.path("in"), "--changes", Fixtures.path(Fixtures.samples, "changes.csv"),
            "--policy", Fixtures.path(Fixtures.samples, "policy.json"), "--output", workspace.path("out"),
        ])
        #expect(run.exitCode == 1, "\(run.standardError)")
        #expect(workspace.contents(of: "out") == ["contoso.csv", "fabrikam.csv.gz"])
        #expect(try workspace.isGzip("out/contoso.csv"))
        #expect(try !workspace.isGzip("out/fabrikam.csv.gz"))
    }

    @Test("the XML, Graph and gzipped samples give the samples' outcomes")
    func samplesInEveryForm() throws {
        let expected = try readCSV(Fixtures.path(Fixtures.folder, "samples-expected.csv"))
        for (exports, changes) in [
            ("exports-xml", "changes.xml"), ("exports-csv-gz", "changes.csv.gz"), ("exports-xml-gz", "changes.xml.gz"),
            ("exports-jsonl", "changes.csv"),
        ] {
            let workspace = try Workspace()
            let run = try SecInfo.run([
                "plan", "--export", Fixtures.path(Fixtures.samples, exports),
                "--changes", Fixtures.path(Fixtures.samples, changes),
                "--policy", Fixtures.path(Fixtures.samples, "policy.json"), "--report", workspace.path("report"),
            ])
            #expect(run.exitCode == 3, "\(exports): \(run.standardError)")
            let reported = try readCSV(workspace.path("report/changes.csv"))
            // The id-less change is named by its line, which is its own file's line.
            #expect(reported.map { [$0["outcome"]!, $0["rule"]!] } == expected.map { [$0["outcome"]!, $0["rule"]!] })
        }
    }
}
