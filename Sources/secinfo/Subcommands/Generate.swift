import ArgumentParser
import Foundation
import SecurityInfoEngine
import SecurityInfoFormats

extension SecInfoCommand {
    /// `secinfo generate`: deterministic test and benchmark data.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a deterministic, realistic multi-tenant export and change file (export.* and changes.*).")

        @Option(help: "How many tenants.") var tenants: Int
        @Option(help: "How many users in all, spread over the tenants.") var users: Int
        @Option(help: "The seed: the same arguments give the same bytes.") var seed: UInt64 = 1
        @Option(help: "csv, xml or jsonl (a Graph export; its change file is CSV).") var format: String = "csv"
        @Flag(help: "Write gzip.") var gzip = false
        @Option(help: "How many changes (default: 1 % of the users).") var changes: Int?
        @Option(help: "The folder to write to.") var out: String

        func run() throws {
            var configuration = SecurityInfoEngine.Generator.Configuration(
                tenants: tenants, users: users, outputDirectory: out)
            guard let fileFormat = FileFormat(rawValue: format) else {
                throw ValidationError("--format is csv, xml or jsonl")
            }
            configuration.format = fileFormat
            configuration.seed = seed
            configuration.gzip = gzip
            configuration.changes = changes
            do {
                let result = try SecurityInfoEngine.Generator.run(configuration)
                print(
                    "generated \(result.users) users: \(result.export); \(result.changeCount) changes: \(result.changes)"
                )
            } catch {
                FileHandle.standardError.write(Data("secinfo: error: \(error)\n".utf8))
                throw ExitCode(error.exitStatus)
            }
        }
    }
}
