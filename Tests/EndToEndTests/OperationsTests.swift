import Foundation
import Testing

/// What a nightly cron job relies on: a lock, and outputs that are whole or as they were whatever kills the run.
@Suite("Operations")
struct OperationsTests {
    @Test("--lock: a run finding the lock held exits 75 at once and writes nothing; once free, the run goes")
    func lock() throws {
        let workspace = try Workspace()
        let lockPath = workspace.path("secinfo.lock")
        let descriptor = open(lockPath, O_RDWR | O_CREAT, 0o644)
        try #require(descriptor >= 0 && flock(descriptor, LOCK_EX) == 0)
        let arguments = [
            "apply", "--export", Fixtures.path(Fixtures.samples, "exports"),
            "--changes", Fixtures.path(Fixtures.samples, "changes.csv"), "--output", workspace.path("out"),
            "--lock", lockPath,
        ]
        let blocked = try SecInfo.run(arguments, timeout: 30)
        #expect(blocked.exitCode == 75)
        #expect(blocked.standardError.contains("another run holds the lock"))
        #expect(workspace.contents(of: "out").isEmpty)
        close(descriptor)
        let free = try SecInfo.run(arguments)
        #expect(free.exitCode == 1 || free.exitCode == 3, "\(free.standardError)")
    }

    /// An export big enough that a run takes a while, so that kills land in every phase.
    func bigExport(in workspace: Workspace) throws -> (export: String, changes: String) {
        var export = "tenant,user,admin,default_method,method,method_id,value\n"
        var changes = "change_id,tenant,user,operation,method,method_id,value,expect\n"
        for index in 0..<40_000 {
            let tenant = "t\(index % 4)"
            export +=
                "\(tenant),u\(index)@\(tenant).test,false,sms,mobilePhone,,+1 425\(String(format: "%07d", index))\n"
            export += "\(tenant),u\(index)@\(tenant).test,false,sms,email,,u\(index)@home.example\n"
            if index % 50 == 0 { changes += "c\(index),\(tenant),u\(index)@\(tenant).test,delete,email,,,\n" }
        }
        return (try workspace.write(export, to: "big.csv"), try workspace.write(changes, to: "changes.csv"))
    }

    @Test(
        "kill -9 at several moments: each output is as it was or complete, and the next run clears the leftovers",
        .tags(.slow))
    func killNine() throws {
        let workspace = try Workspace()
        let (export, changes) = try bigExport(in: workspace)
        func arguments(_ folder: String) -> [String] {
            [
                "apply", "--export", export, "--changes", changes, "--output", workspace.path("\(folder)/out"),
                "--report", workspace.path("\(folder)/report"),
            ]
        }
        // A whole run: the reference, and how long a run takes here.
        let started = Date()
        let reference = try SecInfo.run(arguments("reference"))
        let duration = Date().timeIntervalSince(started)
        try #require(reference.exitCode == 0, "\(reference.standardError)")
        let complete = try Data(contentsOf: URL(fileURLWithPath: workspace.path("reference/out/big.csv")))
        let completeChanges = try Data(contentsOf: URL(fileURLWithPath: workspace.path("reference/report/changes.csv")))

        for (attempt, fraction) in [0.05, 0.3, 0.6, 0.85, 0.95, 0.99].enumerated() {
            let folder = "killed\(attempt)"
            for sub in ["out", "report"] {
                try FileManager.default.createDirectory(
                    atPath: workspace.path("\(folder)/\(sub)"), withIntermediateDirectories: true)
            }
            let previous = Data("the previous night's file\n".utf8)
            try previous.write(to: URL(fileURLWithPath: workspace.path("\(folder)/out/big.csv")))
            try previous.write(to: URL(fileURLWithPath: workspace.path("\(folder)/report/changes.csv")))

            let process = Process()
            process.executableURL = SecInfo.binary
            process.arguments = arguments(folder)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: duration * fraction)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let export = try Data(contentsOf: URL(fileURLWithPath: workspace.path("\(folder)/out/big.csv")))
            #expect(export == previous || export == complete, "killed at \(fraction): big.csv is half-written")
            let report = try Data(contentsOf: URL(fileURLWithPath: workspace.path("\(folder)/report/changes.csv")))
            #expect(
                report == previous || report == completeChanges, "killed at \(fraction): changes.csv is half-written")
            for name in workspace.contents(of: "\(folder)/report") where name == "summary.json" {
                let summary = try readSummary(workspace.path("\(folder)/report"))
                #expect(summary["balanced"] as? Bool == true)
            }

            // The next run completes and removes what the killed one left.
            let rerun = try SecInfo.run(arguments(folder))
            #expect(rerun.exitCode == 0)
            for sub in ["out", "report"] {
                let leftovers = workspace.contents(of: "\(folder)/\(sub)").filter { $0.hasPrefix(".secinfo-tmp-") }
                #expect(leftovers.isEmpty, "killed at \(fraction): \(leftovers) left in \(sub)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: workspace.path("\(folder)/out/big.csv"))) == complete)
        }
    }

    @Test("under cron (stderr no terminal) no progress line; --log-format json gives one JSON object a line, no PII")
    func logs() throws {
        let workspace = try Workspace()
        let arguments = [
            "apply", "--export", Fixtures.path(Fixtures.samples, "exports"),
            "--changes", Fixtures.path(Fixtures.samples, "changes.csv"),
            "--policy", Fixtures.path(Fixtures.samples, "policy.json"), "--output", workspace.path("out"),
        ]
        let text = try SecInfo.run(arguments)
        #expect(text.exitCode == 3)
        #expect(!text.standardError.contains("\r") && !text.standardError.contains("pass 1/2"))
        #expect(text.standardError.contains("warning"))

        let json = try SecInfo.run(arguments + ["--log-format", "json"])
        #expect(json.exitCode == 3)
        let lines = json.standardError.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String], "not JSON: \(line)")
            #expect(object["level"] == "warning" && object["message"] != nil && object["timestamp"] != nil)
        }
        #expect(json.standardError.contains("woodgrove"))
        // No phone number (+CC and digits) and no address (x@y.z) in any log line.
        let phone = try Regex(#"\+\d{1,3} ?\d{4,}"#)
        let address = try Regex(#"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"#)
        for output in [text.standardError, json.standardError] {
            #expect(output.firstMatch(of: phone) == nil, "\(output)")
            #expect(output.firstMatch(of: address) == nil, "\(output)")
        }

        let failing = try SecInfo.run([
            "validate", "--export", Fixtures.path(Fixtures.broken, "bad-tenant.csv"), "--log-format", "json",
        ])
        #expect(failing.exitCode == 2)
        let error = try #require(
            try JSONSerialization.jsonObject(with: Data(failing.standardError.utf8)) as? [String: String])
        #expect(error["level"] == "error" && error["message"]?.contains("bad-tenant.csv:2:1") == true)
    }
}
