import Foundation

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The test app's credential: a self-signed certificate made for these tests only, and its public key.
enum GraphFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let certificate = folder.appendingPathComponent("test-app-certificate.pem").path
    static let publicKey = folder.appendingPathComponent("test-app-public-key.pem").path
    static let repository = folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// A fresh folder under the system's temporary folder, removed when released.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("secinfo-graph-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to `name` in the folder and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let path = url.appendingPathComponent(name).path
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func read(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }
}

/// The built `secinfo` binary, run as a cron job would (no terminal), with its own environment; started in the
/// background so that a test can kill it. Unchecked: the output buffers are written by their reader before
/// `readers` is left and read only after it is waited for.
final class SecInfoProcess: @unchecked Sendable {
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["SECINFO_BINARY"] { return URL(fileURLWithPath: path) }
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("secinfo")
    }()

    let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private var outputData = Data()
    private var errorData = Data()
    private let readers = DispatchGroup()

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw TestFailure("secinfo is not built at \(Self.binary.path): run `swift build` first")
        }
        process.executableURL = Self.binary
        process.arguments = arguments
        var inherited = ProcessInfo.processInfo.environment
        inherited.merge(environment) { $1 }
        process.environment = inherited
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for (pipe, isOutput) in [(output, true), (errors, false)] {
            readers.enter()
            DispatchQueue.global().async { [self] in
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                if isOutput { outputData = data } else { errorData = data }
                try? pipe.fileHandleForReading.close()
                readers.leave()
            }
        }
    }

    /// Waits for the end (killing a run still going after `timeout` seconds: a hang guard, not a timing check).
    func finish(timeout: Double = 180) async throws -> (code: Int32, output: String, errors: String) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                throw TestFailure("secinfo \(process.arguments ?? []) still ran after \(timeout) s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        readers.wait()
        return (
            process.terminationStatus, String(decoding: outputData, as: UTF8.self),
            String(decoding: errorData, as: UTF8.self)
        )
    }

    func kill() { Foundation.kill(process.processIdentifier, SIGKILL) }

    /// Runs to the end.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (
        code: Int32, output: String, errors: String
    ) {
        try await SecInfoProcess(arguments, environment: environment).finish()
    }
}
