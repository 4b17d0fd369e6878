import ArgumentParser
import Foundation
import Logging
import SecurityInfoEngine

/// Runs a batch for a subcommand: bootstraps logging, prints the summary, maps errors to exit codes.
enum BatchCommandRunner {
    static func run(_ configuration: BatchConfiguration, quiet: Bool, lock: String? = nil) throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let logger = Logger(label: "secinfo")
        var runLock: RunLock?
        if let lock {
            do { runLock = try RunLock(path: lock) } catch {
                FileHandle.standardError.write(Data("secinfo: \(error)\n".utf8))
                if case .held = error { throw ExitCode(75) }
                throw ExitCode(2)
            }
        }
        defer { withExtendedLifetime(runLock) {} }
        let result: BatchResult
        do {
            result = try Batch.run(configuration, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("secinfo: error: \(error)\n".utf8))
            throw ExitCode(exitCode(for: error))
        }
        if !quiet { print(SummaryTable(result: result).text, terminator: "") }
        throw ExitCode(result.exitCode)
    }

    static func exitCode(for error: BatchError) -> Int32 {
        switch error {
        case .usage, .input: 2
        case .output: 74
        case .unbalanced, .planMismatch: 70
        case .stalePlan: 4
        }
    }
}
