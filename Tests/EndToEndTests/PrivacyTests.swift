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

    /// A change file whose every column in turn holds a phone number or an address, as shifted columns make it
    /// (the user column an address aside: it holds UPNs, which are shown). Each value is unique, so a leak is found.
    static let shiftedChanges = """
        change_id,tenant,user,operation,method,method_id,value,expect
        +1 4255550101,contoso,alice@contoso.com,delete,fido2,,,
        c02,+1 4255550102,alice@contoso.com,delete,email,,,
        c03,leak03@outlook.com,alice@contoso.com,delete,email,,,
        c04,contoso,+1 4255550104,delete,email,,,
        c05,contoso,alice@contoso.com,+1 4255550105,email,,,
        c06,contoso,alice@contoso.com,leak06@outlook.com,email,,,
        c07,contoso,alice@contoso.com,delete,+1 4255550107,,,
        c08,contoso,alice@contoso.com,delete,leak08@outlook.com,,,
        c09,contoso,alice@contoso.com,delete,fido2,+1 4255550109,,
        c10,contoso,alice@contoso.com,delete,fido2,leak10@outlook.com,,
        c11,contoso,alice@contoso.com,set-default,,,+1 4255550111,
        c12,contoso,alice@contoso.com,set-default,,,leak12@outlook.com,
        c13,contoso,alice@contoso.com,edit,mobilePhone,,+1 4255550199,+1 4255550113
        c14,contoso,alice@contoso.com,edit,email,,alice@outlook.com,leak14@outlook.com
        c15,+1 4255550115,+1 4255550116,+1 4255550117,leak15@outlook.com,,,

        """

    /// The values of `shiftedChanges` that no report or log line may hold, and the digits of each number.
    static let shiftedValues: [String] = {
        let numbers = [1, 2, 4, 5, 7, 9, 11, 13, 15, 16, 17].map { "+1 42555501" + String(format: "%02d", $0) }
        let addresses = [3, 6, 8, 10, 12, 14, 15].map { "leak" + String(format: "%02d", $0) + "@outlook.com" }
        return numbers + numbers.map { String($0.filter(\.isNumber).dropFirst()) } + addresses
    }()

    @Test(
        "a number or an address in any column is masked in every report and log line; rejected.csv keeps it",
        arguments: ["text", "json"])
    func shiftedColumns(logFormat: String) throws {
        let workspace = try Workspace()
        let changes = try workspace.write(Self.shiftedChanges, to: "changes.csv")
        let run = try SecInfo.run([
            "apply", "--export", exports, "--changes", changes, "--policy", policy, "--output", workspace.path("out"),
            "--report", workspace.path("report"), "--log-format", logFormat, "--workers", "2",
        ])
        #expect(run.exitCode == 1 || run.exitCode == 3, "\(run.standardError)")
        var reported = run.standardOutput + run.standardError
        for name in ["changes.csv", "findings.csv", "summary.json", "report.html"] {
            reported += try String(contentsOfFile: workspace.path("report/\(name)"), encoding: .utf8)
        }
        for value in Self.shiftedValues {
            #expect(!reported.contains(value), "\(value) appears in a report or log line")
        }
        let rows = try readCSV(workspace.path("report/changes.csv"))
        #expect(rows.count == 15)
        #expect(rows[0]["change_id"] == "'+1 XXXXXXXX01")
        #expect(rows[1]["message"]?.contains("+1 XXXXXXXX02") == true, "the echo is masked, not dropped")
        #expect(rows[5]["operation"] == "l***@outlook.com")
        // Raw data to fix and feed back in.
        let rejected = try String(contentsOfFile: workspace.path("report/rejected.csv"), encoding: .utf8)
        #expect(rejected.contains("+1 4255550102") && rejected.contains("leak06@outlook.com"))
    }

    @Test("--reveal shows the cells of changes.csv as read")
    func shiftedColumnsRevealed() throws {
        let workspace = try Workspace()
        let changes = try workspace.write(Self.shiftedChanges, to: "changes.csv")
        _ = try SecInfo.run([
            "plan", "--export", exports, "--changes", changes, "--report", workspace.path("report"), "--reveal",
        ])
        let rows = try readCSV(workspace.path("report/changes.csv"))
        #expect(rows[1]["tenant"] == "'+1 4255550102")
        #expect(rows[3]["user"] == "'+1 4255550104")
        let summary = try String(contentsOfFile: workspace.path("report/summary.json"), encoding: .utf8)
        #expect(summary.contains("\"+1 4255550102\""))
    }

    struct BrokenInput: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var name: String
        var text: String
        var isExport: Bool
    }

    static let header = "tenant,user,admin,default_method,method,method_id,value\n"
    static let brokenInputs: [BrokenInput] = [
        .init(
            testDescription: "a number as a CSV export's admin", name: "a.csv",
            text: header + "contoso,zed@contoso.com,+1 4255550121,none,,,\n", isExport: true),
        .init(
            testDescription: "an address as a CSV export's default", name: "a.csv",
            text: header + "contoso,zed@contoso.com,false,leak22@outlook.com,,,\n", isExport: true),
        .init(
            testDescription: "a number as a CSV export's method", name: "a.csv",
            text: header + "contoso,zed@contoso.com,false,none,+1 4255550123,,\n", isExport: true),
        .init(
            testDescription: "a number as a CSV export's tenant", name: "a.csv",
            text: header + "+1 4255550124,zed@contoso.com,false,none,,,\n", isExport: true),
        .init(
            testDescription: "an address as an XML export's admin", name: "a.xml",
            text: """
                <securityInfoExport version="1"><tenant id="contoso">
                <user upn="zed@contoso.com" admin="leak25@outlook.com"/></tenant></securityInfoExport>
                """, isExport: true),
        .init(
            testDescription: "a number as an XML export's method type", name: "a.xml",
            text: """
                <securityInfoExport version="1"><tenant id="contoso"><user upn="zed@contoso.com">
                <method type="+1 4255550126">x</method></user></tenant></securityInfoExport>
                """, isExport: true),
        .init(
            testDescription: "a number as a change id used twice", name: "changes.csv",
            text: "change_id,tenant,user,operation\n+1 4255550127,contoso,a@contoso.com,require-reregister\n"
                + "+1 4255550127,contoso,b@contoso.com,require-reregister\n", isExport: false),
    ]

    @Test("an input error echoing a number or an address masks it in the log line", arguments: brokenInputs)
    func inputErrorsMasked(input: BrokenInput) throws {
        let workspace = try Workspace()
        let path = try workspace.write(input.text, to: input.name)
        for format in ["text", "json"] {
            let run = try SecInfo.run(
                [
                    "plan", "--export", input.isExport ? path : exports, "--changes",
                    input.isExport ? changes : path, "--log-format", format,
                ])
            #expect(run.exitCode == 2)
            #expect(run.standardError.contains(input.name), "\(run.standardError)")
            let leaked = input.text.components(separatedBy: CharacterSet(charactersIn: ",\"\n<>="))
                .filter { $0.hasPrefix("+1 ") || $0.hasPrefix("leak") }
            #expect(leaked.count >= 1)
            for value in leaked {
                #expect(!run.standardError.contains(value), "\(value) in \(run.standardError)")
                if value.hasPrefix("+") {
                    #expect(!run.standardError.contains(value.filter(\.isNumber).dropFirst().prefix(8)))
                }
            }
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
