import Foundation
import Logging
import SecurityInfo
import SecurityInfoFormats
import Testing

@testable import SecurityInfoEngine

/// The batch driven through its library entry point, on files in a temporary folder.
@Suite("Batch")
struct BatchTests {
    final class Folder {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("secinfo-batch-\(UUID())").path
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func write(_ name: String, _ text: String) throws -> String {
            let file = (path as NSString).appendingPathComponent(name)
            try FileManager.default.createDirectory(
                atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
        func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
    }

    static let export = """
        tenant,user,admin,default_method,method,method_id,value
        t1,a@t1.test,false,push,microsoftAuthenticator,m1,A
        t1,a@t1.test,false,push,mobilePhone,,+1 2125550101
        t1,b@t1.test,false,sms,mobilePhone,,+1 2125550102
        t1,c@t1.test,false,none,email,,c@home.example
        t2,d@t2.test,false,sms,mobilePhone,,+1 2125550104

        """

    let logger = Logger(label: "test")

    @Test("R-THRESHOLD-DELETES: maxDeletePercent holds one tenant whole; the other is applied; exit 3")
    func percentThreshold() throws {
        let folder = try Folder()
        let export = try folder.write("in/tenants.csv", Self.export)
        let changes = try folder.write(
            "changes.csv",
            """
            change_id,tenant,user,operation,method
            x1,t1,a@t1.test,delete,mobilePhone
            x2,t1,b@t1.test,delete,mobilePhone
            x3,t2,d@t2.test,delete,mobilePhone

            """)
        // t1 holds 4 methods: 25% allows 1 delete, and the batch makes 2. t2's single delete is within 500.
        let policy = try folder.write("policy.json", #"{"tenants": {"t1": {"maxDeletePercent": 25}}}"#)
        var configuration = BatchConfiguration(command: .apply, exportPaths: [export], changesPath: changes)
        configuration.policyPath = policy
        configuration.outputDirectory = folder.file("out")
        let result = try Batch.run(configuration, logger: logger)
        #expect(result.status == .held)
        let t1 = try #require(result.tenants.first { $0.tenant == "t1" })
        #expect(t1.isHeld && t1.deleteLimit == 1 && t1.deletes == 2 && t1.changes.held == 2)
        let t2 = try #require(result.tenants.first { $0.tenant == "t2" })
        #expect(!t2.isHeld && t2.changes.applied == 1)
        let written = try String(contentsOfFile: folder.file("out/tenants.csv"), encoding: .utf8)
        #expect(written.contains("t1,b@t1.test,false,sms,mobilePhone,,+1 2125550102"))
        #expect(written.contains("t2,d@t2.test,false,none,,,"))
    }

    @Test("a tenant split over two exports is an input error")
    func tenantInTwoExports() throws {
        let folder = try Folder()
        let first = try folder.write("one.csv", Self.export)
        let second = try folder.write("two.csv", Self.export)
        let changes = try folder.write("changes.csv", "change_id,tenant,user,operation\n")
        let configuration = BatchConfiguration(command: .plan, exportPaths: [first, second], changesPath: changes)
        #expect {
            try Batch.run(configuration, logger: logger)
        } throws: { error in
            guard case .input(let input) = error as? BatchError else { return false }
            return input.file == second && input.line == 2 && input.message.contains("one.csv")
        }
    }

    @Test("two inputs with one name would overwrite each other: a usage error, nothing written")
    func outputNameCollision() throws {
        let folder = try Folder()
        let first = try folder.write("a/tenants.csv", Self.export)
        let second = try folder.write("b/tenants.csv", Self.export.replacingOccurrences(of: "t1", with: "t3"))
        let changes = try folder.write("changes.csv", "change_id,tenant,user,operation\n")
        var configuration = BatchConfiguration(command: .apply, exportPaths: [first, second], changesPath: changes)
        configuration.outputDirectory = folder.file("out")
        #expect(throws: BatchError.self) { try Batch.run(configuration, logger: logger) }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: folder.file("out"))) ?? [] == [])
    }

    @Test("an empty change file applies nothing, writes the exports as they were (in canonical form), exits 0")
    func emptyChangeFile() throws {
        let folder = try Folder()
        let export = try folder.write("tenants.csv", Self.export)
        let changes = try folder.write("changes.csv", "change_id,tenant,user,operation\n")
        var configuration = BatchConfiguration(command: .apply, exportPaths: [export], changesPath: changes)
        configuration.outputDirectory = folder.file("out")
        configuration.reportDirectory = folder.file("report")
        let result = try Batch.run(configuration, logger: logger)
        #expect(result.status == .success)
        #expect(try String(contentsOfFile: folder.file("out/tenants.csv"), encoding: .utf8) == Self.export)
        #expect(result.total.users.before == 4 && result.total.users.after == 4)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.file("out"))
            .filter { $0.hasPrefix(AtomicFileSink.temporaryPrefix) }
        #expect(leftovers.isEmpty)
    }
}

/// Rows of one user far apart in a large export: past the readers' exact index, so found by the second reading.
@Suite("Batch: large exports", .tags(.slow))
struct LargeExportTests {
    /// Applies a change file to an export of `early@t1.test`'s `first` row, 70,000 other users, then its `second`
    /// row; returns the input error the run stops with, and whether the output folder stayed empty.
    static func applyToUserApart(first: String, second: String, changes: String) throws -> (
        error: InputError?, outputEmpty: Bool
    ) {
        let folder = try BatchTests.Folder()
        var text = "tenant,user,admin,default_method,method,method_id,value\n"
        text += "t1,early@t1.test,false,none,\(first)\n"
        for index in 0..<70_000 { text += "t1,u\(index)@t1.test,false,none,,,\n" }
        text += "t1,early@t1.test,false,none,\(second)\n"
        var configuration = BatchConfiguration(
            command: .apply, exportPaths: [try folder.write("big.csv", text)],
            changesPath: try folder.write("changes.csv", changes))
        configuration.outputDirectory = folder.file("out")
        let error = try #require(throws: BatchError.self) {
            try Batch.run(configuration, logger: Logger(label: "test"))
        }
        let outputEmpty = (try? FileManager.default.contentsOfDirectory(atPath: folder.file("out")))?.isEmpty ?? true
        guard case .input(let input) = error else {
            Issue.record("expected an input error, got \(error)")
            return (nil, outputEmpty)
        }
        return (input, outputEmpty)
    }

    @Test("a user's rows apart after 70,000 users stop the run with both lines named, nothing written")
    func rowsApartPastTheExactIndex() throws {
        let run = try Self.applyToUserApart(
            first: "email,,early@home.example", second: "fido2,k1,Key", changes: "change_id,tenant,user,operation\n")
        #expect(run.error?.line == 70_003)
        #expect(run.error?.message.contains("line 2") == true)
        #expect(run.outputEmpty)
    }

    /// The first pass keeps the decisions of the user's later copy; the second pass meets the earlier copy first and
    /// decides otherwise. That is the repeat, not a file changed under the run.
    @Test("a repeated user the change file names, its copies different: the repeat is what is reported")
    func repeatedUserWithChangesPastTheExactIndex() throws {
        let run = try Self.applyToUserApart(
            first: "fido2,k1,Key", second: "email,,early@home.example",
            changes: "change_id,tenant,user,operation,method,method_id\nc1,t1,early@t1.test,delete,fido2,k1\n")
        #expect(run.error?.message.contains("apart") == true, "\(run.error?.message ?? "no error")")
        #expect(run.error?.line == 70_003)
        #expect(run.outputEmpty)
    }
}
