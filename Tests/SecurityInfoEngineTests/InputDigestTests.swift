import Foundation
import Logging
import SecurityInfoFormats
import Synchronization
import Testing

@testable import SecurityInfoEngine

/// A named pipe that gives each opening for reading the next of `versions` (the last one again and again), until
/// stopped: a file replaced between any two openings. An opening is served only once the reader before it has
/// closed, so two versions never run into one stream.
final class ChangingFile: Sendable {
    let path: String
    private let stopped = Mutex(false)
    private let finished = DispatchSemaphore(value: 0)
    /// How many openings were served.
    let served = Mutex(0)

    init(path: String, versions: [String]) throws {
        self.path = path
        guard mkfifo(path, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
        // A reader that stops early must not kill the test process.
        signal(SIGPIPE, SIG_IGN)
        DispatchQueue.global().async { [self] in
            defer { finished.signal() }
            for index in 0... {
                guard let descriptor = nextReader() else { return }
                waitUntilReaderOpened()
                let bytes = Array(versions[min(index, versions.count - 1)].utf8)
                var written = 0
                while written < bytes.count {
                    let count = bytes.withUnsafeBytes {
                        write(descriptor, $0.baseAddress! + written, $0.count - written)
                    }
                    if count <= 0 { break }
                    written += count
                }
                close(descriptor)
                served.withLock { $0 += 1 }
                waitUntilNoReader()
            }
        }
    }

    private var isStopped: Bool { stopped.withLock { $0 } }

    /// The write end of the next reader's opening (made blocking), or `nil` once stopped.
    private func nextReader() -> Int32? {
        while !isStopped {
            let descriptor = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if descriptor >= 0 {
                _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
                return descriptor
            }
            usleep(500)
        }
        return nil
    }

    /// Whether a descriptor of this process (the run is in-process) has the pipe open: a probe opening of the
    /// pipe could not tell one reader from the next.
    private var isOpenForReading: Bool {
        var pipe = stat()
        guard stat(path, &pipe) == 0 else { return false }
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.contains { descriptor in
            var file = stat()
            return stat("/proc/self/fd/" + descriptor, &file) == 0 && file.st_ino == pipe.st_ino
                && file.st_dev == pipe.st_dev
        }
    }

    /// Waits until the reader's `open` has returned: it cannot see the end, and close, before the writer closes.
    /// (Bounded, for a reader that closes at once without reading.)
    private func waitUntilReaderOpened() {
        for _ in 0..<4_000 where !isOpenForReading { usleep(500) }
    }

    /// Waits for the reader just served to close.
    private func waitUntilNoReader() {
        while !isStopped && isOpenForReading { usleep(500) }
    }

    func stop() {
        stopped.withLock { $0 = true }
        finished.wait()
        unlink(path)
    }
}

/// `summary.json` and a plan file record the SHA-256 of the bytes the run parsed and applied: each input is opened
/// once for a reading and hashed as it is parsed.
@Suite("Input digests")
struct InputDigestTests {
    static let header = "tenant,user,admin,default_method,method,method_id,value\n"
    /// What the first opening of the export gives, and what every later one gives.
    static let first = header + "t1,a@t1.test,false,none,email,,a@home.example\n"
    static let second = header + "t1,a@t1.test,false,none,email,,a@home.example\nt1,b@t1.test,false,none,,,\n"

    static func digest(_ text: String) -> String {
        let digest = InputDigest()
        Array(text.utf8).withUnsafeBytes { digest.update($0) }
        return digest.finish()
    }

    func summaryInputs(_ folder: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/summary.json"))
        let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(summary["inputs"] as? [[String: Any]])
    }

    @Test("an export replaced after its first opening: the run hashes and applies the bytes of that one opening")
    func exportHashedAsParsed() throws {
        let folder = try BatchTests.Folder()
        let export = try ChangingFile(path: folder.file("tenants.csv"), versions: [Self.first, Self.second])
        let changes = try folder.write(
            "changes.csv", "change_id,tenant,user,operation,method\nc1,t1,a@t1.test,delete,email\n")
        var configuration = BatchConfiguration(command: .apply, exportPaths: [export.path], changesPath: changes)
        configuration.outputDirectory = folder.file("out")
        configuration.reportDirectory = folder.file("report")
        let result = Result { try Batch.run(configuration, logger: Logger(label: "test")) }
        export.stop()
        #expect(try result.get().status == .success)
        #expect(export.served.withLock { $0 } == 1, "one opening of the export")
        let written = try String(contentsOfFile: folder.file("out/tenants.csv"), encoding: .utf8)
        #expect(written == Self.header + "t1,a@t1.test,false,none,,,\n", "the first version, changed")
        let input = try #require(try summaryInputs(folder.file("report")).first { $0["role"] as? String == "export" })
        #expect(input["sha256"] as? String == Self.digest(Self.first))
        #expect(input["bytes"] as? Int == Self.first.utf8.count)
    }

    @Test("a change file replaced after its first opening: the digest is of the changes applied")
    func changeFileHashedAsParsed() throws {
        let folder = try BatchTests.Folder()
        let export = try folder.write("tenants.csv", Self.second)
        let deleteA = "change_id,tenant,user,operation,method\nc1,t1,a@t1.test,delete,email\n"
        let changes = try ChangingFile(
            path: folder.file("changes.csv"), versions: [deleteA, "change_id,tenant,user,operation\n"])
        var configuration = BatchConfiguration(command: .plan, exportPaths: [export], changesPath: changes.path)
        configuration.reportDirectory = folder.file("report")
        let result = Result { try Batch.run(configuration, logger: Logger(label: "test")) }
        changes.stop()
        #expect(try result.get().total.changes.applied == 1)
        let input = try #require(try summaryInputs(folder.file("report")).first { $0["role"] as? String == "changes" })
        #expect(input["sha256"] as? String == Self.digest(deleteA))
    }

    @Test("an export that reads otherwise the second time it is read: an input error, nothing written")
    func exportChangedBetweenReadings() throws {
        let folder = try BatchTests.Folder()
        let export = try ChangingFile(path: folder.file("tenants.csv"), versions: [Self.first, Self.second])
        // A created user needs the second reading.
        let changes = try folder.write(
            "changes.csv", "change_id,tenant,user,operation,method,value\nc1,t1,new@t1.test,add,email,n@home.example\n")
        var configuration = BatchConfiguration(command: .apply, exportPaths: [export.path], changesPath: changes)
        configuration.createUsers = true
        configuration.outputDirectory = folder.file("out")
        configuration.reportDirectory = folder.file("report")
        let result = Result { try Batch.run(configuration, logger: Logger(label: "test")) }
        export.stop()
        #expect(export.served.withLock { $0 } == 2)
        guard case .failure(BatchError.input(let error)) = result else {
            Issue.record("expected an input error, got \(result)")
            return
        }
        #expect(error.file == export.path && error.message.contains("changed while secinfo was reading it"))
        let left = (try? FileManager.default.contentsOfDirectory(atPath: folder.file("out"))) ?? []
        #expect(left.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.file("report/summary.json")))
    }
}
