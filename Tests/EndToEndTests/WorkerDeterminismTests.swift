import Foundation
import SecurityInfo
import Testing

/// The Dispatch worker queues change nothing but speed: outputs and reports are the same bytes for any number
/// of workers and on every run.
@Suite("Workers and determinism", .tags(.slow))
struct WorkerDeterminismTests {
    /// Six tenants of 2,000 users with a realistic spread of methods, and 3,000 changes of every kind (some for
    /// users to create, some refused, enough deletes in one tenant to hold it).
    static func scenario(in workspace: Workspace) throws -> (exports: String, changes: String, policy: String) {
        var random = SeededGenerator(seed: 2026)
        var export = "tenant,user,admin,default_method,method,method_id,value\n"
        var users: [(tenant: String, user: String)] = []
        for tenant in (0..<6).map({ "t\($0)" }) {
            for index in 0..<2_000 {
                let user = "u\(index)@\(tenant).example"
                users.append((tenant, user))
                var methods: [(String, String, String)] = []
                if random.chance(0.7) { methods.append(("microsoftAuthenticator", "m\(index)", "Phone \(index)")) }
                let hasMobile = random.chance(0.8)
                if hasMobile { methods.append(("mobilePhone", "", "+1 425\(String(format: "%07d", index))")) }
                if hasMobile && random.chance(0.1) {
                    methods.append(("alternateMobilePhone", "", "+1 206\(String(format: "%07d", index))"))
                }
                if random.chance(0.2) {
                    methods.append(("officePhone", "", "+1 212\(String(format: "%07d", index))x12"))
                }
                if random.chance(0.4) { methods.append(("email", "", "u\(index)@home.example")) }
                if random.chance(0.3) { methods.append(("securityQuestions", "", "\(random.pick([2, 3, 4, 5]))")) }
                if random.chance(0.05) { methods.append(("hardwareOath", "h\(index)", "SER-\(index)")) }
                if random.chance(0.05) { methods.append(("fido2", "f\(index)", "Key \(index)")) }
                if random.chance(0.05) { methods = [] }
                let defaultMethod =
                    methods.contains { $0.0 == "microsoftAuthenticator" }
                    ? "push" : methods.contains { $0.0 == "mobilePhone" } ? "sms" : "none"
                let admin = random.chance(0.03) ? "true" : "false"
                if methods.isEmpty { export += "\(tenant),\(user),\(admin),none,,,\n" }
                for (kind, id, value) in methods {
                    export += "\(tenant),\(user),\(admin),\(defaultMethod),\(kind),\(id),\"\(value)\"\n"
                }
            }
        }
        var changes = "change_id,tenant,user,operation,method,method_id,value,expect\n"
        for index in 0..<3_000 {
            var (tenant, user) = random.pick(users)
            if random.chance(0.03) { user = "new\(index)@\(tenant).example" }
            let row: String
            switch random.pick(Array(0..<9)) {
            case 0: row = "add,mobilePhone,,+1 303\(String(format: "%07d", index)),"
            case 1: row = "edit,mobilePhone,,+1 (303) 555-\(String(format: "%04d", index % 10_000)),"
            case 2: row = "delete,email,,,"
            case 3: row = "set-default,,,\(random.pick(["push", "oath", "sms", "voiceMobile", "email"])),"
            case 4: row = "add,email,,x\(index)@\(random.pick(["home.example", tenant + ".example"])),"
            case 5: row = "add,hardwareOath,,\(random.pick(["TOK-\(index)", "bad serial"])),"
            case 6: row = "delete,microsoftAuthenticator,,,"
            case 7: row = "require-reregister,,,,"
            default: row = "add,alternateMobilePhone,,+1 404\(String(format: "%07d", index)),"
            }
            changes += "c\(index),\(tenant),\(user),\(row)\n"
        }
        try FileManager.default.createDirectory(atPath: workspace.path("exports"), withIntermediateDirectories: true)
        _ = try workspace.write(export, to: "exports/tenants.csv")
        _ = try workspace.write(changes, to: "changes.csv")
        let policy = try workspace.write(
            #"{"tenants": {"t5": {"maxDeletes": 10}, "t1": {"onDefaultDelete": "reject", "domains": ["t1.example"]}}}"#,
            to: "policy.json")
        return (workspace.path("exports"), workspace.path("changes.csv"), policy)
    }

    @Test("--workers 1, 2 and 8 and a re-run give byte-identical exports and reports, for CSV, XML and Graph exports")
    func sameBytesForAnyWorkers() throws {
        let workspace = try Workspace()
        let (exports, changes, policy) = try Self.scenario(in: workspace)
        // XML and Graph gzip copies of the export too, so every writer goes through the pipeline.
        for copy in ["xml/tenants.xml.gz", "jsonl/tenants.jsonl.gz"] {
            let converted = try SecInfo.run([
                "convert", "--from", workspace.path("exports/tenants.csv"), "--to", workspace.path(copy),
            ])
            try #require(converted.exitCode == 0, "\(converted.standardError)")
        }
        for (name, folder) in [("csv", exports), ("xml", workspace.path("xml")), ("jsonl", workspace.path("jsonl"))] {
            var first: [String: Data]?
            for (run, workers) in [1, 2, 8, 8].enumerated() {
                let label = "\(name)-\(run)"
                let result = try SecInfo.run([
                    "apply", "--export", folder, "--changes", changes, "--policy", policy, "--create-users",
                    "--workers", "\(workers)", "--output", workspace.path("out-\(label)"),
                    "--report", workspace.path("report-\(label)"),
                ])
                #expect(result.exitCode == 3, "\(label): \(result.standardError)")
                var files: [String: Data] = [:]
                for sub in ["out", "report"] {
                    for file in workspace.contents(of: "\(sub)-\(label)") {
                        var data = try Data(contentsOf: URL(fileURLWithPath: workspace.path("\(sub)-\(label)/\(file)")))
                        if file == "summary.json" { data = try Self.withoutRunDetails(data) }
                        if file == "report.html" { data = Self.withoutStartTime(data) }
                        files["\(sub)/\(file)"] = data
                    }
                }
                #expect(files.count == 6)
                if let first {
                    for (file, data) in files { #expect(data == first[file], "\(label): \(file) differs") }
                } else {
                    first = files
                }
            }
            let summary = try readSummary(workspace.path("report-\(name)-0"))
            #expect(summary["balanced"] as? Bool == true)
            #expect(summary.int(at: "total.changes.read") == 3_000)
            #expect(summary.value(at: "tenants.t5.deletes.held") as? Bool == true)
            #expect((summary.int(at: "total.users.created") ?? 0) > 0)
            #expect((summary.int(at: "total.changes.applied") ?? 0) > 1_000)
            #expect((summary.int(at: "total.changes.rejected") ?? 0) > 300)
        }
    }

    /// report.html without its start time.
    static func withoutStartTime(_ data: Data) -> Data {
        let text = String(decoding: data, as: UTF8.self)
        return Data(text.replacing(#/Started [^ ]+ /#, with: "Started - ").utf8)
    }

    /// summary.json without what differs between runs by design: the times and the recorded worker count.
    static func withoutRunDetails(_ data: Data) throws -> Data {
        var summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        summary["startedAt"] = nil
        summary["endedAt"] = nil
        var options = summary["options"] as? [String: Any] ?? [:]
        options["workers"] = nil
        options["output"] = nil
        options["report"] = nil
        summary["options"] = options
        return try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
    }
}
