import Foundation
import Logging
import SecurityInfo
import SecurityInfoFormats
import Testing

@testable import SecurityInfoEngine

/// A run reads each export once when that reading stands (no tenant held, no user created, no repeat to
/// confirm), and twice otherwise: the outputs and reports must be the same bytes as a forced second reading gives.
@Suite("One reading or two", .tags(.slow))
struct SingleReadingTests {
    struct Run {
        var result: BatchResult
        var files: [String: Data]
    }

    /// Runs `apply` reading once when it can, or always twice; returns the result and every output and report file.
    static func apply(
        export: String, changes: String, policy: String?, readsOnce: Bool, createUsers: Bool = false,
        moreExports: [String] = [], tenants: Set<String> = [], in folder: String
    ) throws -> Run {
        let name = readsOnce ? "once" : "twice"
        var configuration = BatchConfiguration(
            command: .apply, exportPaths: [export] + moreExports, changesPath: changes)
        configuration.tenants = tenants
        configuration.policyPath = policy
        configuration.outputDirectory = folder + "/\(name)-out"
        configuration.reportDirectory = folder + "/\(name)-report"
        configuration.workers = 2
        configuration.createUsers = createUsers
        configuration.alwaysReadsTwice = !readsOnce
        let result = try Batch.run(configuration, logger: Logger(label: "test"))
        var files: [String: Data] = [:]
        for sub in ["out", "report"] {
            let directory = folder + "/\(name)-\(sub)"
            for file in try FileManager.default.contentsOfDirectory(atPath: directory) {
                files["\(sub)/\(file)"] = FileManager.default.contents(atPath: directory + "/" + file)
            }
        }
        return Run(result: result, files: files)
    }

    /// The files that must be the same bytes: all but the run's times in summary.json and report.html.
    static func comparable(_ run: Run) -> [String: Data] {
        run.files.filter { !$0.key.hasSuffix("summary.json") && !$0.key.hasSuffix("report.html") }
    }

    static func scenario(gzip: Bool) throws -> (folder: String, generated: Generator.Result) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("secinfo-once-\(UUID())").path
        var generate = Generator.Configuration(tenants: 5, users: 6_000, outputDirectory: folder + "/in")
        generate.gzip = gzip
        generate.changes = 600
        return (folder, try Generator.run(generate))
    }

    @Test(
        "a run with nothing held or created reads once, and writes what a second reading writes",
        arguments: [false, true])
    func readsOnce(gzip: Bool) throws {
        let (folder, generated) = try Self.scenario(gzip: gzip)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let once = try Self.apply(
            export: generated.export, changes: generated.changes, policy: nil, readsOnce: true, in: folder)
        let twice = try Self.apply(
            export: generated.export, changes: generated.changes, policy: nil, readsOnce: false, in: folder)
        #expect(once.result.exportReadings == 1)
        #expect(twice.result.exportReadings == 2)
        #expect(once.result.total == twice.result.total)
        #expect(once.result.status == twice.result.status)
        #expect(once.result.total.changes.applied > 100, "the scenario changes users")
        #expect(Self.comparable(once) == Self.comparable(twice))
        #expect(Self.comparable(once).count == 4, "the export and three report files compared")
    }

    @Test("two export files and --tenant: one reading writes what a second reading writes")
    func twoFilesAndTenantScope() throws {
        let (folder, generated) = try Self.scenario(gzip: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The generated export split in two files, tenants 0–1 and 2–4, each with the header.
        let lines = try String(contentsOfFile: generated.export, encoding: .utf8).split(separator: "\n")
        let (header, rows) = (lines[0], lines.dropFirst())
        let first = rows.filter { $0.hasPrefix("tenant000,") || $0.hasPrefix("tenant001,") }
        let second = rows.filter { !($0.hasPrefix("tenant000,") || $0.hasPrefix("tenant001,")) }
        try #require(!first.isEmpty && !second.isEmpty)
        let (a, b) = (folder + "/in/a.csv", folder + "/in/b.csv")
        try ([header] + first).joined(separator: "\n").appending("\n").write(
            toFile: a, atomically: true, encoding: .utf8)
        try ([header] + second).joined(separator: "\n").appending("\n").write(
            toFile: b, atomically: true, encoding: .utf8)
        let scope: Set<String> = ["tenant001", "tenant003"]
        let once = try Self.apply(
            export: a, changes: generated.changes, policy: nil, readsOnce: true, moreExports: [b], tenants: scope,
            in: folder)
        let twice = try Self.apply(
            export: a, changes: generated.changes, policy: nil, readsOnce: false, moreExports: [b], tenants: scope,
            in: folder)
        #expect(once.result.exportReadings == 1)
        #expect(once.result.tenants == twice.result.tenants)
        #expect(once.result.total == twice.result.total)
        #expect(Self.comparable(once) == Self.comparable(twice))
        #expect(Self.comparable(once).count == 5, "two exports and three report files compared")
        #expect(once.result.total.changes.applied > 10)
    }

    @Test("a held tenant with an add of a kind none of its users had: totals as a forced second reading counts them")
    func heldTenantWithNewKind() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("secinfo-once-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let export = folder + "/export.csv"
        try """
        tenant,user,admin,default_method,method,method_id,value
        t1,a@t1.example,false,sms,mobilePhone,,+1 2125550101
        t1,b@t1.example,false,sms,mobilePhone,,+1 2125550102
        t2,c@t2.example,false,sms,mobilePhone,,+1 2125550103

        """.write(toFile: export, atomically: true, encoding: .utf8)
        let changes = folder + "/changes.csv"
        try """
        change_id,tenant,user,operation,method,method_id,value,expect
        c1,t1,a@t1.example,delete,mobilePhone,,,
        c2,t1,b@t1.example,add,hardwareOath,,TOKEN-1,
        c3,t2,c@t2.example,add,hardwareOath,,TOKEN-2,

        """.write(toFile: changes, atomically: true, encoding: .utf8)
        let policy = folder + "/policy.json"
        try #"{"tenants": {"t1": {"maxDeletes": 0}}}"#.write(toFile: policy, atomically: true, encoding: .utf8)
        let once = try Self.apply(export: export, changes: changes, policy: policy, readsOnce: true, in: folder)
        let twice = try Self.apply(export: export, changes: changes, policy: policy, readsOnce: false, in: folder)
        #expect(once.result.exportReadings == 2)
        #expect(once.result.tenants == twice.result.tenants)
        #expect(once.result.total == twice.result.total)
        let held = try #require(once.result.tenants.first { $0.tenant == "t1" })
        #expect(held.isHeld)
        #expect(held.methods[.hardwareOath] == nil, "no row for a kind the held tenant never wrote")
        #expect(Self.comparable(once) == Self.comparable(twice))
    }

    @Test("a held tenant or a created user makes the run write again, as a forced second reading writes")
    func writesAgainWhenTheReadingDoesNotStand() throws {
        let (folder, generated) = try Self.scenario(gzip: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let policy = folder + "/policy.json"
        try #"{"tenants": {"tenant001": {"maxDeletes": 0}}}"#.write(toFile: policy, atomically: true, encoding: .utf8)
        for (policy, createUsers) in [(policy, false), (nil, true)] {
            let once = try Self.apply(
                export: generated.export, changes: generated.changes, policy: policy, readsOnce: true,
                createUsers: createUsers, in: folder)
            let twice = try Self.apply(
                export: generated.export, changes: generated.changes, policy: policy, readsOnce: false,
                createUsers: createUsers, in: folder)
            #expect(once.result.exportReadings == 2)
            #expect(once.result.total == twice.result.total)
            #expect(Self.comparable(once) == Self.comparable(twice))
            if policy != nil { #expect(once.result.total.changes.held > 0) }
            if createUsers { #expect(once.result.total.users.created > 0) }
            for sub in ["once-out", "once-report", "twice-out", "twice-report"] {
                try FileManager.default.removeItem(atPath: folder + "/" + sub)
            }
        }
    }
}
