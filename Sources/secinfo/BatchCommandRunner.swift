import ArgumentParser
import Foundation
import Logging
import SecurityInfoEngine

/// Runs a batch for a subcommand: bootstraps logging, prints the summary, maps errors to exit codes.
enum BatchCommandRunner {
    /// How log lines are written (`--log-format`).
    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    /// Logs go to stderr at warning level and above: under cron, warnings and the final summary only.
    static func bootstrapLogging(format: LogFormat) {
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                return JSONLogHandler(label: label)
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = .warning
                return handler
            }
        }
    }

    static func run(
        _ configuration: BatchConfiguration, quiet: Bool, lock: String? = nil, logFormat: LogFormat = .text
    ) throws {
        bootstrapLogging(format: logFormat)
        let logger = Logger(label: "secinfo")
        var configuration = configuration
        configuration.progress = TerminalProgress.make(quiet: quiet)
        let runLock = try takeLock(lock)
        defer { withExtendedLifetime(runLock) {} }
        let result: BatchResult
        do {
            result = try Batch.run(configuration, logger: logger)
        } catch {
            configuration.progress?.finish()
            report("error: \(error)", logger: logger, format: logFormat)
            throw ExitCode(error.exitStatus)
        }
        if !quiet { print(SummaryTable(result: result).text, terminator: "") }
        throw ExitCode(result.status)
    }

    /// `--lock PATH` taken for the run, or the exit code saying why not (75 held, 2 cannot open).
    static func takeLock(_ path: String?) throws -> RunLock? {
        guard let path else { return nil }
        do { return try RunLock(path: path) } catch {
            FileHandle.standardError.write(Data("secinfo: \(error)\n".utf8))
            throw ExitCode(error.exitStatus)
        }
    }

    /// A failure, as a JSON log line or as plain text.
    static func report(_ message: String, logger: Logger, format: LogFormat) {
        switch format {
        case .json: logger.error("\(message)")
        case .text: FileHandle.standardError.write(Data("secinfo: \(message)\n".utf8))
        }
    }
}

extension ExitCode {
    /// The process exit code of a run's status.
    init(_ status: ExitStatus) { self.init(status.rawValue) }
}
