import Foundation
public import Logging
import SecurityInfo
public import SecurityInfoEngine
public import SecurityInfoFormats
import Synchronization

/// `secinfo push` (GRAPH.md §3): the batches of a requests file sent to Graph, each request's end in the ledger,
/// resumable after a kill at any moment without making a request twice.
public enum GraphPush {
    public struct Configuration: Sendable {
        public var requestsPath: String
        public var ledgerPath: String
        public var tenants: [GraphTenant]
        /// `--tenant`: only these (empty: every tenant of the file).
        public var selectedTenants: Set<String> = []
        /// Batches in flight at once, over all tenants.
        public var concurrency = 4
        /// Batches of one tenant in flight at once (one unless more are asked).
        public var concurrencyPerTenant = 1

        public init(requestsPath: String, ledgerPath: String, tenants: [GraphTenant]) {
            self.requestsPath = requestsPath
            self.ledgerPath = ledgerPath
            self.tenants = tenants
        }
    }

    /// Reads the file and the ledger, checks them, and sends what the ledger does not record as done.
    public static func run(
        _ configuration: Configuration, client: GraphClient, logger: Logger,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) async throws(BatchError) -> PushOutcome {
        let allBatches = try BatchError.reading { () throws(InputError) in
            try PushRequestsFile.read(path: configuration.requestsPath)
        }
        let tenantsByName = Dictionary(configuration.tenants.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let fileTenants = Set(allBatches.map(\.tenant))
        for name in configuration.selectedTenants where !fileTenants.contains(name) {
            throw .usage("--tenant \(name): the requests file holds no batch of this tenant")
        }
        let batches = allBatches.filter {
            configuration.selectedTenants.isEmpty || configuration.selectedTenants.contains($0.tenant)
        }
        if let stranger = batches.first(where: { tenantsByName[$0.tenant] == nil }) {
            throw .input(
                InputError(
                    file: configuration.requestsPath, line: stranger.line,
                    "tenant \(stranger.tenant) is not in the tenants file"))
        }
        let keys = Set(allBatches.flatMap { $0.requests.map(\.key) })
        let ledger = try BatchError.reading { () throws(InputError) in
            try PushLedger(path: configuration.ledgerPath, requests: keys)
        }
        let run = PushRun(ledger: ledger, client: client, logger: logger, progress: progress, batches: batches)
        let limit = InFlightLimit(configuration.concurrency)
        let byTenant = Dictionary(grouping: batches, by: \.tenant)
        await withTaskGroup(of: Void.self) { group in
            for (name, tenantBatches) in byTenant.sorted(by: { $0.key < $1.key }) {
                let pusher = TenantPusher(
                    tenant: tenantsByName[name]!, batches: tenantBatches, run: run, limit: limit,
                    concurrency: configuration.concurrencyPerTenant)
                group.addTask { await pusher.push() }
            }
        }
        if let failure = run.writeFailure {
            throw .output(failure)
        }
        return PushOutcome(batches: batches, states: ledger.states, notSent: run.notSent, unavailable: run.unavailable)
    }
}

/// What one push shares between its tenants: the ledger, why requests were not sent, the users that failed.
final class PushRun: Sendable {
    let ledger: PushLedger
    let client: GraphClient
    let logger: Logger
    let progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?
    let total: Int
    private struct Shared {
        var notSent: [RequestKey: String] = [:]
        var unavailable: [String: TenantUnavailable] = [:]
        /// Users with a failed or skipped request: their later requests are skipped.
        var failedUsers: Set<String> = []
        var done = 0
        var writeFailure: OutputError?
    }
    private let shared: Mutex<Shared>

    init(
        ledger: PushLedger, client: GraphClient, logger: Logger,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?, batches: [PushBatch]
    ) {
        self.ledger = ledger
        self.client = client
        self.logger = logger
        self.progress = progress
        total = batches.reduce(0) { $0 + $1.requests.count }
        var state = Shared()
        let requests = batches.flatMap(\.requests)
        let states = ledger.states
        for request in requests {
            switch states[request.key] {
            case .failed?, .skipped?: state.failedUsers.insert(Self.userKey(request))
            default: break
            }
        }
        state.done = requests.count { states[$0.key]?.isDone == true }
        shared = Mutex(state)
    }

    static func userKey(_ request: PushRequest) -> String { "\(request.tenant)\u{0}\(request.user.lowercased())" }

    var notSent: [RequestKey: String] { shared.withLock { $0.notSent } }
    var unavailable: [String: TenantUnavailable] { shared.withLock { $0.unavailable } }
    var writeFailure: OutputError? { shared.withLock { $0.writeFailure } }

    func hasFailed(_ request: PushRequest) -> Bool {
        shared.withLock { $0.failedUsers.contains(Self.userKey(request)) }
    }

    func markNotSent(_ requests: [PushRequest], _ why: String) {
        shared.withLock { shared in
            for request in requests { shared.notSent[request.key] = why }
        }
    }

    func markUnavailable(_ failure: TenantUnavailable) {
        shared.withLock { $0.unavailable[failure.tenant] = failure }
    }

    /// Writes entries to the ledger; a ledger that cannot be written stops the run's sending.
    func record(_ entries: [PushLedger.Entry], requests: [PushRequest]) throws(OutputError) {
        do { try ledger.record(entries) } catch {
            shared.withLock { $0.writeFailure = error }
            throw error
        }
        let ended = entries.filter { $0.code != PushLedger.sentCode || $0.status != nil }
        let done = shared.withLock { shared in
            for entry in ended
            where entry.status.map({ !(200..<300).contains($0) })
                ?? [PushLedger.skippedCode, PushLedger.conflictCode].contains(entry.code)
            {
                if let request = requests.first(where: { $0.id == entry.id }) {
                    shared.failedUsers.insert(Self.userKey(request))
                }
            }
            shared.done += ended.count
            return shared.done
        }
        progress?(done, total)
    }

    func entry(_ request: PushRequest, status: Int?, code: String, message: String = "") -> PushLedger.Entry {
        PushLedger.Entry(
            tenant: request.tenant, id: request.id, change: request.change, status: status, code: code,
            message: ContactMask.text(message))
    }
}
