import ArgumentParser
import Foundation
import Logging
import SecurityInfoEngine
import SecurityInfoGraph

extension SecInfoCommand {
    /// `secinfo push`: a requests file's batches made in the tenants through Microsoft Graph.
    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Send a requests file's Graph batches (from plan/apply --graph-requests), recording each request in the ledger; a rerun sends only what is not done."
        )

        @OptionGroup var graph: GraphOptions

        @Option(help: "The requests file: JSON Lines of Graph batches, as --graph-requests writes.")
        var requests: String

        @Option(help: "The ledger (JSON Lines, appended): what was sent and how it ended; keep it for reruns.")
        var ledger: String

        @Option(help: "Write push.csv and summary.json to this folder.")
        var report: String?

        @Option(help: "Hold this lock file (flock) for the run; if another run holds it, exit 75 at once.")
        var lock: String?

        func run() throws {
            BatchCommandRunner.bootstrapLogging(format: graph.logFormat)
            let logger = Logger(label: "secinfo")
            let runLock = try BatchCommandRunner.takeLock(lock)
            defer { withExtendedLifetime(runLock) {} }
            var configuration = GraphPush.Configuration(
                requestsPath: requests, ledgerPath: ledger, tenants: try graph.readTenants())
            configuration.selectedTenants = Set(graph.selectedTenants)
            configuration.concurrency = graph.concurrency ?? 4
            configuration.concurrencyPerTenant = graph.concurrency ?? 1
            let client = try graph.client(logger: logger)
            let settings = configuration
            let progress = TerminalLine.make(quiet: graph.quiet)
            let outcome = GraphCommand.wait { () -> Result<PushOutcome, BatchError> in
                defer { progress?.finish() }
                let result: Result<PushOutcome, BatchError>
                do throws(BatchError) {
                    result = .success(
                        try await GraphPush.run(settings, client: client, logger: logger) { done, total in
                            progress?.draw("secinfo: push · \(done)/\(total) requests")
                        })
                } catch {
                    result = .failure(error)
                }
                await client.shutdown()
                return result
            }
            let pushed: PushOutcome
            switch outcome {
            case .failure(let error): throw GraphCommand.fail(error)
            case .success(let value): pushed = value
            }
            if let report {
                do { try pushed.write(to: report) } catch { throw GraphCommand.fail(error) }
            }
            if !graph.quiet {
                let total = pushed.total
                print(
                    "secinfo push: \(total.planned) requests: \(total.succeeded) succeeded, \(total.failed) failed, \(total.skipped) skipped"
                )
                for (tenant, failure) in pushed.unavailable.sorted(by: { $0.key < $1.key }) {
                    print("\(tenant): not pushed: \(failure.reason)")
                }
                if let report { print("report: \(report)") }
            }
            throw ExitCode(pushed.status)
        }
    }
}
