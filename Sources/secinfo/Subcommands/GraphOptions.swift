import ArgumentParser
import Dispatch
import Foundation
import Logging
import SecurityInfoEngine
import SecurityInfoFormats
import SecurityInfoGraph
import Synchronization

/// Options `pull` and `push` share: the tenants file, where Graph and the authority are, how much in flight.
struct GraphOptions: ParsableArguments {
    @Option(help: "The tenants file (JSON): each tenant's directory, app and credential.")
    var tenants: String

    @Option(name: .customLong("tenant"), help: "Only this tenant (repeatable).")
    var selectedTenants: [String] = []

    @Option(help: "Graph's URL: scheme, host and port (http only for a loopback host).")
    var graphURL: String = GraphEndpoints.defaultGraph

    @Option(help: "The token authority's URL: scheme, host and port (http only for a loopback host).")
    var authorityURL: String = GraphEndpoints.defaultAuthority

    @Option(help: "Batches in flight at once (default 4; more than one per tenant only when given).")
    var concurrency: Int?

    @Flag(help: "Print nothing on success but errors and warnings.")
    var quiet = false

    @Option(help: "Log lines on stderr as text or as JSON objects, one a line.")
    var logFormat: BatchCommandRunner.LogFormat = .text

    func validate() throws {
        if let concurrency, !(1...64).contains(concurrency) {
            throw ValidationError("--concurrency must be from 1 to 64")
        }
    }

    /// The tenants file's tenants, only those `--tenant` names; an unknown name is a usage error.
    func readTenants() throws -> [GraphTenant] {
        let all: [GraphTenant]
        do { all = try TenantsFile.read(path: tenants) } catch {
            throw GraphCommand.fail(BatchError.input(error))
        }
        for name in selectedTenants where !all.contains(where: { $0.name == name }) {
            throw GraphCommand.fail(BatchError.usage("--tenant \(name): not in the tenants file \(tenants)"))
        }
        return selectedTenants.isEmpty ? all : all.filter { selectedTenants.contains($0.name) }
    }

    func client(logger: Logger) throws -> GraphClient {
        let endpoints: GraphEndpoints
        do { endpoints = try GraphEndpoints(graph: graphURL, authority: authorityURL) } catch {
            throw GraphCommand.fail(BatchError.usage(error.description))
        }
        return GraphClient(
            endpoints: endpoints, connectionsPerHost: max(8, concurrency ?? 4),
            onRetry: { tenant, reason in logger.info("tenant \(tenant): \(reason); waiting before trying again") })
    }
}

/// What `pull` and `push` share: blocking the command's thread on the async work, errors to exit codes.
enum GraphCommand {
    /// Runs async work from the synchronous command: Swift's executor threads do the work meanwhile.
    static func wait<Value: Sendable>(_ work: @escaping @Sendable () async -> Value) -> Value {
        let result = Mutex<Value?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await work()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }

    /// Prints an error and gives the exit code its status means.
    static func fail(_ error: BatchError) -> ExitCode {
        FileHandle.standardError.write(Data("secinfo: error: \(error)\n".utf8))
        return ExitCode(error.exitStatus)
    }
}
