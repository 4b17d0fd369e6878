import Foundation
import Testing

/// `secinfo generate`: deterministic, realistic data that secinfo itself reads back.
@Suite("Generate")
struct GenerateTests {
    @Test("the same arguments give the same bytes; every operation; a realistic mix; plan balances with rejections")
    func generated() throws {
        let workspace = try Workspace()
        for folder in ["a", "b"] {
            let run = try SecInfo.run([
                "generate", "--tenants", "5", "--users", "2000", "--changes", "400", "--seed", "7",
                "--out", workspace.path(folder),
            ])
            #expect(run.exitCode == 0, "\(run.standardError)")
        }
        for name in ["export.csv", "changes.csv"] {
            let first = try Data(contentsOf: URL(fileURLWithPath: workspace.path("a/\(name)")))
            let second = try Data(contentsOf: URL(fileURLWithPath: workspace.path("b/\(name)")))
            #expect(first == second, "\(name) differs between two runs")
        }
        let rows = try readCSV(workspace.path("a/export.csv"))
        let users = Set(rows.map { "\($0["tenant"]!) \($0["user"]!)" })
        #expect(users.count == 2000 && Set(rows.map { $0["tenant"]! }).count == 5)
        func share(_ method: String) -> Double {
            Double(Set(rows.filter { $0["method"] == method }.map { $0["user"]! + $0["tenant"]! }).count) / 2000
        }
        #expect(share("microsoftAuthenticator") > 0.7 && share("mobilePhone") > 0.65)
        #expect(share("email") > 0.15 && share("email") < 0.45)
        #expect(share("hardwareOath") > 0 && share("hardwareOath") < 0.1)
        #expect(rows.contains { $0["method"] == "" })
        #expect(rows.contains { $0["admin"] == "true" })
        let changes = try readCSV(workspace.path("a/changes.csv"))
        #expect(
            Set(changes.map { $0["operation"]! }) == ["add", "edit", "delete", "set-default", "require-reregister"])

        let plan = try SecInfo.run([
            "plan", "--export", workspace.path("a/export.csv"), "--changes", workspace.path("a/changes.csv"),
            "--report", workspace.path("report"),
        ])
        #expect(plan.exitCode == 1, "\(plan.standardError)")
        let summary = try readSummary(workspace.path("report"))
        #expect(summary["balanced"] as? Bool == true)
        let rejected = summary.int(at: "total.changes.rejected") ?? 0
        #expect(rejected > 40 && rejected < 200, "rejected \(rejected) of 400")
    }

    @Test("gzipped XML is generated as such and reads back")
    func gzippedXML() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "generate", "--tenants", "2", "--users", "100", "--format", "xml", "--gzip", "--out", workspace.path("x"),
        ])
        #expect(run.exitCode == 0)
        #expect(try workspace.isGzip("x/export.xml.gz") && workspace.isGzip("x/changes.xml.gz"))
        let validate = try SecInfo.run(["validate", "--export", workspace.path("x/export.xml.gz")])
        #expect(validate.exitCode == 0, "\(validate.standardError)")
    }
}
