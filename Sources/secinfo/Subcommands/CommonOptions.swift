import ArgumentParser
import Foundation
import SecurityInfoEngine

/// Options every batch command takes.
struct CommonOptions: ParsableArguments {
    @Option(
        name: .customLong("export"), parsing: .upToNextOption,
        help: "Tenant export files or folders (every .csv, .xml, .csv.gz, .xml.gz inside).")
    var exports: [String] = []

    @Option(help: "The policy file (JSON); without it, the built-in defaults for every tenant.")
    var policy: String?

    @Option(help: "Write changes.csv, rejected.csv, findings.csv and summary.json to this folder.")
    var report: String?

    @Option(name: .customLong("tenant"), help: "Only this tenant (repeatable).")
    var tenants: [String] = []

    @Flag(help: "Show phone numbers and email addresses in reports unmasked.")
    var reveal = false

    @Flag(help: "Print nothing on success but errors and warnings.")
    var quiet = false

    @Option(help: "Log lines on stderr as text or as JSON objects, one a line.")
    var logFormat: BatchCommandRunner.LogFormat = .text

    @Option(help: "Hold this lock file (flock) for the run; if another run holds it, exit 75 at once.")
    var lock: String?

    @Option(help: "The most bytes any one input may give after decompression (a gzip bomb stops there).")
    var maxInputBytes: Int = FormatLimits.defaultMaximumInputBytes

    @Option(help: "Dispatch worker queues sharing the work; the default is the active processor count.")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    // Hidden: for the tests that compare the byte path with the full one, and for the benchmark.
    @Flag(help: .hidden)
    var decodeEveryUser = false

    func validate() throws {
        if exports.isEmpty { throw ValidationError("give at least one --export file or folder") }
        if workers < 1 { throw ValidationError("--workers must be at least 1") }
        if maxInputBytes < 1 { throw ValidationError("--max-input-bytes must be at least 1") }
    }

    func configuration(for command: BatchConfiguration.Command, changes: String? = nil) -> BatchConfiguration {
        var configuration = BatchConfiguration(command: command, exportPaths: exports, changesPath: changes)
        configuration.policyPath = policy
        configuration.reportDirectory = report
        configuration.tenants = Set(tenants)
        configuration.reveal = reveal
        configuration.workers = workers
        configuration.decodesEveryUser = decodeEveryUser
        configuration.maximumInputBytes = maxInputBytes
        return configuration
    }
}

/// Options of the commands that take a change file.
struct ChangeOptions: ParsableArguments {
    @Option(help: "The change file (CSV or XML, gzipped or not).")
    var changes: String

    @Flag(help: "Let an add for a user the export does not hold create the user.")
    var createUsers = false

    @Option(
        name: .customLong("allow-deletes"),
        help: ArgumentHelp("Raise a tenant's delete limit for this run (repeatable).", valueName: "TENANT=N"))
    var allowDeletes: [String] = []

    @Option(help: "Why the delete limits were raised; required with --allow-deletes, recorded in the report.")
    var reason: String?

    @Option(
        help: ArgumentHelp(
            "Also write the Microsoft Graph batches that make the applied changes in the tenants (JSON Lines).",
            valueName: "FILE"))
    var graphRequests: String?

    /// `TENANT=N` pairs as a dictionary.
    func deleteAllowances() throws -> [String: Int] {
        var allowances: [String: Int] = [:]
        for pair in allowDeletes {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let count = Int(parts[1]), count >= 0, !parts[0].isEmpty else {
                throw ValidationError("--allow-deletes takes TENANT=N with N a count, not '\(pair)'")
            }
            if allowances[String(parts[0])] != nil {
                throw ValidationError("--allow-deletes names tenant '\(parts[0])' twice: give each tenant one limit")
            }
            allowances[String(parts[0])] = count
        }
        return allowances
    }

    func validate() throws {
        _ = try deleteAllowances()
        if !allowDeletes.isEmpty && (reason ?? "").allSatisfy(\.isWhitespace) {
            throw ValidationError("--allow-deletes needs --reason TEXT, which the report records")
        }
    }

    func apply(to configuration: inout BatchConfiguration) throws {
        configuration.createUsers = createUsers
        configuration.deleteAllowances = try deleteAllowances()
        configuration.deleteAllowanceReason = reason
        configuration.graphRequestsPath = graphRequests
    }
}
