import Foundation
import SecurityInfoFormats
import Testing

/// What one run of the `secinfo` binary gave.
struct SecInfoRun {
    var exitCode: Int32
    var standardOutput: String
    var standardError: String
}

/// Runs the built `secinfo` binary as a cron job would: arguments, no terminal, exit code and output captured.
enum SecInfo {
    /// The binary beside the test bundle (`.build/debug/secinfo`), or `SECINFO_BINARY`.
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["SECINFO_BINARY"] { return URL(fileURLWithPath: path) }
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("secinfo")
    }()

    /// Runs the binary; a run still going after `timeout` seconds is killed and fails the test (a hang guard for
    /// hostile inputs, not a timing assertion).
    static func run(_ arguments: [String], in directory: URL? = nil, timeout: Double = 120) throws -> SecInfoRun {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestFailure("secinfo is not built at \(binary.path): run `swift build` first (Scripts/test does)")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        defer { watchdog.cancel() }
        // Read both pipes to the end before waiting, so a full pipe never blocks the child.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // Closed now: a suite of hundreds of runs would otherwise hold their descriptors until released.
        for handle in [output.fileHandleForReading, errors.fileHandleForReading] { try? handle.close() }
        if process.terminationReason == .uncaughtSignal {
            throw TestFailure(
                "secinfo \(arguments.joined(separator: " ")) was killed after \(timeout) s or by a signal")
        }
        return SecInfoRun(
            exitCode: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Paths of the repository's samples and of this target's fixtures.
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repository = folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = repository.appendingPathComponent("Samples")
    static let scenarioA = folder.appendingPathComponent("scenario-a")
    static let broken = folder.appendingPathComponent("broken")
    static let hostile = folder.appendingPathComponent("hostile")

    static func path(_ base: URL, _ components: String...) -> String {
        components.reduce(base) { $0.appendingPathComponent($1) }.path
    }
}

/// A fresh folder under the system's temporary folder, removed when released.
final class Workspace {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("secinfo-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Copies a fixture file or folder in, so a test may change it.
    func copy(_ source: String, as name: String) throws -> String {
        try FileManager.default.copyItem(atPath: source, toPath: path(name))
        return path(name)
    }

    func write(_ text: String, to name: String) throws -> String {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    /// Whether a file starts with gzip's magic number.
    func isGzip(_ name: String) throws -> Bool {
        let data = try Data(contentsOf: url.appendingPathComponent(name))
        return data.prefix(2) == Data([0x1F, 0x8B])
    }

    func contents(of name: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path(name)).sorted()) ?? []
    }
}

/// A CSV file as rows of named cells, read with the project's own (separately tested) reader.
func readCSV(_ path: String) throws -> [[String: String]] {
    var reader = CSVReader(source: try FileByteSource(path: path))
    guard let header = try reader.next() else { return [] }
    var rows: [[String: String]] = []
    while let record = try reader.next() {
        rows.append(Dictionary(uniqueKeysWithValues: zip(header.fields, record.fields)))
    }
    return rows
}

/// `summary.json` as nested dictionaries.
func readSummary(_ folder: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent("summary.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// Counts the methods of each type per tenant in written export files, independently of the engine's counts.
func countMethods(inExports paths: [String]) throws -> [String: [String: Int]] {
    var counts: [String: [String: Int]] = [:]
    for path in paths {
        for row in try readCSV(path) where !(row["method"] ?? "").isEmpty {
            counts[row["tenant"]!, default: [:]][row["method"]!, default: 0] += 1
        }
    }
    return counts
}

extension [String: Any] {
    /// A value at a dotted path, e.g. `tenants.contoso.changes.applied`.
    func value(at path: String) -> Any? {
        var current: Any? = self
        for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        return current
    }

    func int(at path: String) -> Int? { value(at: path) as? Int }
}
