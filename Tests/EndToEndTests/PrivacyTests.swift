import Foundation
import Testing

/// No phone number or email address in a report or log unless `--reveal`; report cells a spreadsheet would run
/// as formulas are neutralised.
@Suite("Privacy and spreadsheet safety")
struct PrivacyTests {
    let exports = Fixtures.path(Fixtures.samples, "exports")
    let changes = Fixtures.path(Fixtures.samples, "changes.csv")
    let policy = Fixtures.path(Fixtures.samples, "policy.json")

    /// Every phone number and address the sample exports and change file hold, in normalised and raw forms.
    func personalValues() throws -> [String] {
        var values: [String] = []
        for name in ["contoso.csv", "fabrikam.csv", "woodgrove-and-tailspin.csv"] {
            for row in try readCSV(Fixtures.path(Fixtures.samples, "exports", name))
            where ["mobilePhone", "alternateMobilePhone", "officePhone", "email"].contains(row["method"]!) {
                values.append(row["value"]!)
            }
        }
        for row in try readCSV(changes) where ["add", "edit"].contains(row["operation"]!) {
            if row["value"]!.contains("@") || row["value"]!.hasPrefix("+") { values.append(row["value"]!) }
        }
        // A value that is also a user's name (c04 adds the UPN as an email) rightly appears as the user.
        let userNames = Set(try readCSV(changes).map { $0["user"]!.lowercased() })
        return values.filter { !$0.contains(" CALL ") && !userNames.contains($0.lowercased()) }
    }

    @Test("masked by default: changes.csv, findings.csv, summary.json, stdout and stderr hold no number or address")
    func maskedByDefault() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "apply", "--export", exports, "--changes", changes, "--policy", policy, "--output", workspace.path("out"),
            "--report", workspace.path("report"),
        ])
        #expect(run.exitCode == 3)
        var reported = run.standardOutput + run.standardError
        for name in ["changes.csv", "findings.csv", "summary.json"] {
            reported += try String(contentsOfFile: workspace.path("report/\(name)"), encoding: .utf8)
        }
        let values = try personalValues()
        #expect(values.count > 20)
        for value in values {
            #expect(!reported.contains(value), "\(value) appears in a report")
            let digits = value.filter(\.isNumber)
            if value.hasPrefix("+") { #expect(!reported.contains(digits.dropFirst(2)), "\(value)'s digits appear") }
        }
        let c01 = try #require(try readCSV(workspace.path("report/changes.csv")).first { $0["change_id"] == "c01" })
        #expect(c01["before"] == "'+1 XXXXXXXX00")
        #expect(c01["after"] == "'+1 XXXXXXXX99")
        let c05 = try #require(try readCSV(workspace.path("report/changes.csv")).first { $0["change_id"] == "c05" })
        #expect(c05["after"] == "b***@outlook.com")
    }

    @Test("--reveal shows the values; rejected.csv keeps them as read either way")
    func reveal() throws {
        let workspace = try Workspace()
        _ = try SecInfo.run([
            "plan", "--export", exports, "--changes", changes, "--policy", policy, "--report", workspace.path("masked"),
        ])
        _ = try SecInfo.run([
            "plan", "--export", exports, "--changes", changes, "--policy", policy, "--report", workspace.path("shown"),
            "--reveal",
        ])
        let shown = try readCSV(workspace.path("shown/changes.csv"))
        #expect(shown.first { $0["change_id"] == "c01" }?["after"] == "'+1 4255550199")
        #expect(shown.first { $0["change_id"] == "c05" }?["after"] == "bob.personal@outlook.com")
        for folder in ["masked", "shown"] {
            let rejected = try readCSV(workspace.path("\(folder)/rejected.csv"))
            #expect(rejected.first { $0["change_id"] == "c04" }?["value"] == "bob@contoso.com")
            #expect(rejected.first { $0["change_id"] == "c21" }?["value"] == "+33 6 12 34 56 79")
        }
    }

    @Test("cells that start like a formula are neutralised in changes.csv")
    func formulaCells() throws {
        let workspace = try Workspace()
        let changes = try workspace.write(
            """
            change_id,tenant,user,operation,method,method_id,value,expect
            "=HYPERLINK(""http://x"")",contoso,@evil@contoso.com,delete,email,,,
            f2,contoso,erin@contoso.com,delete,fido2,,-YubiKey,
            """, to: "changes.csv")
        let run = try SecInfo.run([
            "plan", "--export", exports, "--changes", changes, "--report", workspace.path("report"),
        ])
        #expect(run.exitCode == 1)
        let text = try String(contentsOfFile: workspace.path("report/changes.csv"), encoding: .utf8)
        let rows = try readCSV(workspace.path("report/changes.csv"))
        #expect(rows[0]["change_id"] == "'=HYPERLINK(\"http://x\")")
        #expect(rows[0]["user"] == "'@evil@contoso.com")
        #expect(!text.contains("\n=") && !text.contains(",=") && !text.contains(",@"))
        // rejected.csv is data to feed back in, exactly as read.
        #expect(try readCSV(workspace.path("report/rejected.csv")).first?["change_id"] == "=HYPERLINK(\"http://x\")")
    }
}
