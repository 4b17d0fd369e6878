import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An in-process emulator of the Microsoft Graph endpoints secinfo calls, and of the identity platform's token
/// endpoint, on one loopback port: for the tests and the benchmark, never for a network.
///
/// State is in memory behind one lock; requests are answered on SwiftNIO's event loops.
public final class GraphEmulator: Sendable {
    /// The listening socket and its event loops, while started.
    private struct Server: Sendable {
        let group: MultiThreadedEventLoopGroup
        let channel: any Channel
        let port: Int
    }

    private let state: Mutex<EmulatorState>
    private let server = Mutex<Server?>(nil)

    public init(configuration: GraphEmulator.Configuration = .init()) {
        state = Mutex(EmulatorState(configuration: configuration))
    }

    /// Listens on 127.0.0.1 (port 0: one the system picks).
    public func start(port: Int = 0) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let respond: @Sendable (HTTPRequestMessage) -> ExchangeOutcome = { [self] request in
            let now = ContinuousClock.now
            return state.withLock { $0.exchange(request, now: now) }
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(HTTPExchangeHandler(respond: respond))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        let boundPort = channel.localAddress?.port ?? port
        server.withLock { $0 = Server(group: group, channel: channel, port: boundPort) }
        state.withLock { $0.baseURL = "http://127.0.0.1:\(boundPort)" }
    }

    /// `http://127.0.0.1:PORT` once started.
    public var baseURL: String { state.withLock { $0.baseURL } }

    /// Stops listening, closes open connections and ends the event loops.
    public func shutdown() async throws {
        guard
            let running = server.withLock({ server in
                defer { server = nil }; return server
            })
        else { return }
        try? await running.channel.close()
        try await running.group.shutdownGracefully()
    }

    public func addTenant(_ tenant: EmulatedTenant) {
        state.withLock { $0.authority.add(tenant) }
    }

    /// Seeds users from GRAPH.md §1 export lines (JSON Lines bytes); a line's "tenant" is an EmulatedTenant.name.
    /// Lines are added whole or not at all: an unreadable line, or a user a tenant already has, throws.
    public func load(exportLines: [UInt8]) throws {
        var seeded: [(line: Int, tenant: String, user: DirectoryUser)] = []
        for (index, line) in exportLines.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .enumerated()
        {
            let text = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            guard text.contains(where: { ![0x20, 0x09].contains($0) }) else { continue }
            let (tenant, user) = try ExportLine.user(from: text, line: index + 1)
            seeded.append((index + 1, tenant, user))
        }
        try state.withLock { state throws(ExportLineError) in
            var directories = state.directories
            for (line, tenant, user) in seeded {
                guard directories[tenant, default: TenantDirectory()].add(user) else {
                    throw ExportLineError(line: line, reason: "tenant \(tenant) already has \(user.userPrincipalName)")
                }
            }
            state.directories = directories
        }
    }

    /// The names of the tenants whose users were loaded, sorted.
    public var tenantNames: [String] {
        state.withLock { $0.directories.keys.sorted() }
    }

    /// A tenant's directory now, as GRAPH.md §1 lines (one per user, users sorted by userPrincipalName, methods in the
    /// order the emulator holds them, "tenant" = name, "id", "userPrincipalName", "isAdmin", "signInPreferences",
    /// "methods"; "securityQuestions" omitted). Hardware tokens include "device": {"serialNumber": ...} here.
    public func exportLines(tenant name: String) -> [String] {
        let users = state.withLock { $0.directories[name]?.users ?? [] }
        return users.sorted { $0.userPrincipalName < $1.userPrincipalName }.map {
            ExportLine.text(tenant: name, user: $0)
        }
    }

    /// Replaces the injected faults; takes effect from the next request.
    public func setFaults(_ faults: GraphEmulator.Faults) {
        state.withLock { $0.throttle.faults = faults }
    }

    public var statistics: GraphEmulator.Statistics { state.withLock { $0.statistics } }

    /// Every state-changing request that succeeded, in order: "TENANTNAME METHOD /users/{object id}/authentication/…"
    /// (after resolving UPN to id).
    public var appliedMutations: [String] { state.withLock { $0.appliedMutations } }
}
