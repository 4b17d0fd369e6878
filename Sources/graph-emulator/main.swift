import Dispatch
import Foundation
import GraphEmulator

/// graph-emulator --export FILE.jsonl --tenants-out FILE.json [--port N] [--throttle SHARE] [--retry-after S]
///                [--page-size N] [--rate N]
///
/// Serves the tenants of a Graph export (GRAPH.md §1) on 127.0.0.1 for the benchmark: each tenant NAME gets the
/// tenant id NAME.example, the client id client-NAME and the secret secret-NAME, written to a tenants file
/// (GRAPH.md §4) whose clientSecretEnv is GRAPH_SECRET_NAME. Runs until SIGTERM or SIGINT, then prints the
/// statistics as one JSON line.
struct Options {
    var export = ""
    var tenantsOut = ""
    var port = 0
    var configuration = GraphEmulator.Configuration()
    var faults = GraphEmulator.Faults()

    static let usage =
        "usage: graph-emulator --export FILE.jsonl --tenants-out FILE.json [--port N] [--throttle SHARE] "
        + "[--retry-after S] [--page-size N] [--rate N]"

    init(_ arguments: ArraySlice<String>) throws(UsageError) {
        var rest = arguments
        while let name = rest.popFirst() {
            guard let value = rest.popFirst() else { throw UsageError("\(name) needs a value") }
            switch name {
            case "--export": export = value
            case "--tenants-out": tenantsOut = value
            case "--port": port = try Self.number(value, name, in: 0...65535)
            case "--throttle":
                guard let share = Double(value), (0...1).contains(share) else {
                    throw UsageError("--throttle takes a share from 0 to 1")
                }
                faults.throttledShare = share
            case "--retry-after": faults.retryAfterSeconds = try Self.number(value, name, in: 0...3600)
            case "--page-size": configuration.pageSize = try Self.number(value, name, in: 1...999)
            case "--rate": configuration.requestsPerSecondPerTenant = try Self.number(value, name, in: 1...1_000_000)
            default: throw UsageError("unknown option \(name)")
            }
        }
        guard !export.isEmpty, !tenantsOut.isEmpty else { throw UsageError("--export and --tenants-out are required") }
    }

    private static func number(_ text: String, _ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("\(name) takes a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The environment variable a tenant's secret is read from: GRAPH_SECRET_ and the name upper-cased, anything but
/// letters and digits as `_`.
func secretVariable(_ name: String) -> String {
    "GRAPH_SECRET_" + String(name.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
}

/// Registers each tenant of the export and writes the tenants file that reaches them.
func registerTenants(of emulator: GraphEmulator, writingTo path: String) throws {
    var entries: [String: [String: String]] = [:]
    for name in emulator.tenantNames {
        emulator.addTenant(
            EmulatedTenant(
                name: name, tenantID: "\(name).example", clientID: "client-\(name)", clientSecret: "secret-\(name)"))
        entries[name] = [
            "tenantId": "\(name).example", "clientId": "client-\(name)", "clientSecretEnv": secretVariable(name),
        ]
    }
    let data = try JSONSerialization.data(withJSONObject: ["tenants": entries], options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: path), options: .atomic)
}

/// Waits for SIGTERM or SIGINT.
func untilTerminated() async {
    let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
    let queue = DispatchQueue(label: "graph-emulator.signals")
    let sources = [SIGTERM, SIGINT].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
        source.setEventHandler { continuation.yield(number) }
        source.resume()
        return source
    }
    for await _ in signals { break }
    sources.forEach { $0.cancel() }
}

func statisticsLine(_ statistics: GraphEmulator.Statistics) throws -> String {
    let fields: [String: Int] = [
        "tokenRequests": statistics.tokenRequests, "batches": statistics.batches, "requests": statistics.requests,
        "throttled": statistics.throttled, "earlyRetries": statistics.earlyRetries,
        "unavailable": statistics.unavailable, "dropped": statistics.dropped,
        "rejectedOversizeBatches": statistics.rejectedOversizeBatches,
    ]
    return String(decoding: try JSONSerialization.data(withJSONObject: fields, options: .sortedKeys), as: UTF8.self)
}

do {
    let options = try Options(CommandLine.arguments.dropFirst())
    let emulator = GraphEmulator(configuration: options.configuration)
    guard let export = FileManager.default.contents(atPath: options.export) else {
        throw UsageError("cannot read \(options.export)")
    }
    try emulator.load(exportLines: Array(export))
    try registerTenants(of: emulator, writingTo: options.tenantsOut)
    emulator.setFaults(options.faults)
    try await emulator.start(port: options.port)
    // Written unbuffered: the benchmark reads this line to learn the port while the emulator runs.
    FileHandle.standardOutput.write(Data("listening on \(emulator.baseURL)\n".utf8))
    await untilTerminated()
    try await emulator.shutdown()
    print(try statisticsLine(emulator.statistics))
} catch let error as UsageError {
    FileHandle.standardError.write(Data("graph-emulator: \(error)\n\(Options.usage)\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("graph-emulator: \(error)\n".utf8))
    exit(1)
}
