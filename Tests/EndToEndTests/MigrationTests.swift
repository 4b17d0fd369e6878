import Foundation
import Testing

/// `secinfo migrate` on a scenario of every case the issue names, with the outcomes worked out by hand.
@Suite("Migration")
struct MigrationTests {
    let folder = Fixtures.folder.appendingPathComponent("migration")
    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func migrate(_ workspace: Workspace, target: String? = nil, extra: [String] = [], out: String = "changes.csv")
        throws -> SecInfoRun
    {
        try SecInfo.run(
            [
                "migrate", "--source", path("source.csv"), "--target", target ?? path("target.csv"),
                "--map-domain", "old.example=new.example", "--user-map", path("user-map.csv"),
                "--policy", path("policy.json"), "--changes-out", workspace.path(out), "--report",
                workspace.path("report"),
            ] + extra)
    }

    @Test("each user: what moves as add or edit (with expect), what must be registered again, what is blocked, and why")
    func outcomesPerUser() throws {
        let workspace = try Workspace()
        let run = try migrate(workspace)
        #expect(run.exitCode == 0, "\(run.standardError)")
        let changes = try readCSV(workspace.path("changes.csv"))
        #expect(
            changes.map { $0["change_id"]! } == [
                "Ann@New.example/mobilePhone/edit", "Ann@New.example/email/add",
                "ben@new.example/mobilePhone/add", "ben@new.example/alternateMobilePhone/add",
                "ben@new.example/hardwareOath/add/HW-1", "ben@new.example/hardwareOath/add/HW-2",
                "ben@new.example/default/set-default/sms", "hal@new.example/mobilePhone/add",
            ])
        let annEdit = try #require(changes.first)
        #expect(annEdit["value"] == "+1 2125550101" && annEdit["expect"] == "+1 2125550199")
        #expect(changes.allSatisfy { $0["tenant"] == "newco" })

        let users = Dictionary(
            uniqueKeysWithValues: try readCSV(workspace.path("report/migration.csv")).map { ($0["source_user"]!, $0) })
        #expect(users.count == 9)
        func status(_ user: String) -> String? { users[user]?["status"] }
        #expect(status("ann@old.example") == "migrated partly")
        #expect(users["ann@old.example"]?["must_reregister"] == "microsoftAuthenticator “Ann's iPhone”")
        #expect(users["ann@old.example"]?["blocked"]?.contains("officePhone: blocked by policy") == true)
        #expect(status("ben@old.example") == "migrated fully")
        #expect(status("cat@old.example") == "not migrated")
        #expect(users["cat@old.example"]?["must_reregister"]?.split(separator: ";").count == 3)
        #expect(users["cat@old.example"]?["blocked"]?.contains("securityQuestions “3”: blocked by policy") == true)
        #expect(users["cat@old.example"]?["reason"]?.contains("default push cannot move") == true)
        #expect(users["dan@old.example"]?["reason"]?.contains("no such user in the target") == true)
        #expect(users["eve@old.example"]?["reason"]?.contains("2 source users map to this target user") == true)
        #expect(users["eva@old.example"]?["status"] == "not migrated")
        #expect(users["fay@legacy.example"]?["target_user"] == "faye@new.example")
        #expect(status("fay@legacy.example") == "migrated fully")
        #expect(users["gus@old.example"]?["reason"]?.contains("names more than one target user") == true)
        #expect(users["hal@old.example"]?["blocked"]?.contains("R-EMAIL-NOT-WORK") == true)
        let html = try String(contentsOfFile: workspace.path("report/report.html"), encoding: .utf8)
        #expect(html.contains("oldco → newco") && html.contains("cat@old.example"))
        // No phone number or address of a method in the report.
        let report = try String(contentsOfFile: workspace.path("report/migration.csv"), encoding: .utf8) + html
        for value in ["2125550101", "ann@home.example", "7700900001", "hal@new.example: "] {
            #expect(!report.contains(value), "\(value) in the report")
        }
    }

    @Test("a fresh migration applies with exit 0, and migrating again leaves nothing that applies")
    func migrateApplyMigrate() throws {
        for createUsers in [false, true] {
            let workspace = try Workspace()
            let flag = createUsers ? ["--create-users"] : []
            #expect(try migrate(workspace, extra: flag).exitCode == 0)
            let apply = try SecInfo.run(
                [
                    "apply", "--export", path("target.csv"), "--changes", workspace.path("changes.csv"),
                    "--policy", path("policy.json"), "--output", workspace.path("applied"),
                    "--report", workspace.path("apply-report"),
                ] + flag)
            #expect(apply.exitCode == 0, "create-users \(createUsers): \(apply.standardOutput)\(apply.standardError)")
            let outcomes = try readCSV(workspace.path("apply-report/changes.csv")).map { $0["outcome"]! }
            #expect(!outcomes.isEmpty && outcomes.allSatisfy { $0 == "applied" })
            if createUsers {
                #expect(try readCSV(workspace.path("applied/target.csv")).contains { $0["user"] == "dan@new.example" })
            }

            let again = try migrate(
                workspace, target: workspace.path("applied/target.csv"), extra: flag, out: "again.csv")
            #expect(again.exitCode == 0)
            #expect(try readCSV(workspace.path("again.csv")).isEmpty, "create-users \(createUsers): changes left")
            #expect(try String(contentsOfFile: workspace.path("again.csv"), encoding: .utf8).hasPrefix("change_id,"))
        }
    }

    @Test("the change file can be XML, and --create-users emits the missing user's changes")
    func xmlAndCreateUsers() throws {
        let workspace = try Workspace()
        #expect(try migrate(workspace, extra: ["--create-users"], out: "changes.xml").exitCode == 0)
        let xml = try String(contentsOfFile: workspace.path("changes.xml"), encoding: .utf8)
        #expect(xml.contains("<securityInfoChanges version=\"1\">"))
        #expect(xml.contains("id=\"dan@new.example/email/add\""))
    }

    @Test("a source export of several tenants needs --source-tenant: exit 2, nothing written")
    func severalTenants() throws {
        let workspace = try Workspace()
        let run = try SecInfo.run([
            "migrate", "--source", Fixtures.path(Fixtures.samples, "exports", "woodgrove-and-tailspin.csv"),
            "--target", path("target.csv"), "--changes-out", workspace.path("changes.csv"),
        ])
        #expect(run.exitCode == 2)
        #expect(run.standardError.contains("--source-tenant"))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("changes.csv")))
    }
}
