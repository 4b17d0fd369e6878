import ArgumentParser
import Foundation
import Logging
import SecurityInfoEngine
import SecurityInfoFormats
import SecurityInfoGraph

extension SecInfoCommand {
    /// `secinfo pull`: each tenant's security info from Microsoft Graph, an export per tenant.
    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read each tenant's users and their security info from Microsoft Graph into an export per tenant."
        )

        @OptionGroup var graph: GraphOptions

        @Option(help: "The folder the exports are written to (<tenant>.jsonl, or the format asked).")
        var out: String

        @Option(help: "jsonl (Graph's own objects, kept exactly), csv or xml.")
        var format: String = "jsonl"

        @Flag(help: "Write gzip.")
        var gzip = false

        func run() throws {
            BatchCommandRunner.bootstrapLogging(format: graph.logFormat)
            let logger = Logger(label: "secinfo")
            guard let fileFormat = FileFormat(rawValue: format) else {
                throw ValidationError("--format is jsonl, csv or xml")
            }
            var configuration = GraphPull.Configuration(tenants: try graph.readTenants(), outputDirectory: out)
            configuration.format = fileFormat
            configuration.gzip = gzip
            configuration.concurrency = graph.concurrency ?? 4
            let client = try graph.client(logger: logger)
            let settings = configuration
            let progress = TerminalLine.make(quiet: graph.quiet)
            let outcome = GraphCommand.wait { () -> Result<GraphPull.Result, BatchError> in
                defer { progress?.finish() }
                let result: Result<GraphPull.Result, BatchError>
                do throws(BatchError) {
                    result = .success(
                        try await GraphPull.run(settings, client: client, logger: logger) { tenant, done, total in
                            progress?.draw("secinfo: pull · \(tenant) · \(done)/\(total) users")
                        })
                } catch {
                    result = .failure(error)
                }
                await client.shutdown()
                return result
            }
            switch outcome {
            case .failure(let error): throw GraphCommand.fail(error)
            case .success(let result):
                if !graph.quiet {
                    for tenant in result.tenants {
                        if let path = tenant.path {
                            var line = "\(tenant.tenant): \(tenant.users) users, \(tenant.admins) admins → \(path)"
                            if tenant.usersGone > 0 { line += " (\(tenant.usersGone) deleted while read)" }
                            print(line)
                        } else if let failure = tenant.failure {
                            print("\(tenant.tenant): not pulled: \(failure.reason)")
                        }
                    }
                }
                throw ExitCode(result.status)
            }
        }
    }
}
