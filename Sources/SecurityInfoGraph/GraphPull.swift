import Foundation
public import Logging
import SecurityInfo
public import SecurityInfoEngine
public import SecurityInfoFormats

/// `secinfo pull` (GRAPH.md §3): each tenant's users, `isAdmin`, methods and sign-in preferences from Graph,
/// written as one export per tenant, whole or not there.
public enum GraphPull {
    public struct Configuration: Sendable {
        public var tenants: [GraphTenant]
        public var outputDirectory: String
        public var format: FileFormat = .jsonl
        public var gzip = false
        /// Batches in flight at once, over all tenants.
        public var concurrency = 4

        public init(tenants: [GraphTenant], outputDirectory: String) {
            self.tenants = tenants
            self.outputDirectory = outputDirectory
        }
    }

    /// What one tenant's pull did.
    public struct TenantResult: Sendable {
        public var tenant: String
        /// The export written, or nil when the tenant failed.
        public var path: String?
        public var users = 0
        public var admins = 0
        /// Users listed but gone when their methods were asked for (Graph answered 404).
        public var usersGone = 0
        public var failure: TenantUnavailable?
    }

    public struct Result: Sendable {
        public var tenants: [TenantResult]
        public var status: ExitStatus {
            tenants.contains { $0.failure != nil } ? .tenantUnavailable : .success
        }
    }

    /// Users per batch: two requests each (methods, sign-in preferences), 20 requests a batch.
    static let usersPerBatch = 10

    public static func run(
        _ configuration: Configuration, client: GraphClient, logger: Logger,
        progress: (@Sendable (_ tenant: String, _ done: Int, _ total: Int) -> Void)? = nil
    ) async throws(BatchError) -> Result {
        let folders = CreatedFolders()
        try folders.make(configuration.outputDirectory)
        _ = AtomicFileSink.removeStaleTemporaries(in: configuration.outputDirectory)
        let limit = InFlightLimit(configuration.concurrency)
        let results = await withTaskGroup(of: TenantResult.self) { group in
            for tenant in configuration.tenants {
                group.addTask {
                    var result = TenantResult(tenant: tenant.name)
                    do {
                        let reader = TenantReader(
                            tenant: tenant, client: client, limit: limit, concurrency: configuration.concurrency,
                            logger: logger, progress: progress)
                        result = try await reader.pull(into: configuration)
                    } catch let failure as TenantUnavailable {
                        result.failure = failure
                        logger.error("\(failure.description); its export is not written")
                    } catch let refusal as GraphRefusal {
                        result.failure = TenantUnavailable(tenant: tenant.name, reason: refusal.reason)
                        logger.error("tenant \(tenant.name): \(refusal); its export is not written")
                    } catch {
                        result.failure = TenantUnavailable(tenant: tenant.name, reason: .unreachable("\(error)"))
                        logger.error("tenant \(tenant.name): \(error); its export is not written")
                    }
                    return result
                }
            }
            var results: [TenantResult] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.tenant < $1.tenant }
        }
        if results.allSatisfy({ $0.path == nil }) { folders.removeEmpty() }
        return Result(tenants: results)
    }
}

/// One tenant's pull: the users, who is an admin, then each user's methods and preferences in batches, written
/// in the order Graph listed the users.
struct TenantReader: Sendable {
    let tenant: GraphTenant
    let client: GraphClient
    let limit: InFlightLimit
    let concurrency: Int
    let logger: Logger
    let progress: (@Sendable (_ tenant: String, _ done: Int, _ total: Int) -> Void)?

    struct ListedUser: Sendable {
        var id: String
        var userPrincipalName: String
    }

    func pull(into configuration: GraphPull.Configuration) async throws -> GraphPull.TenantResult {
        var result = GraphPull.TenantResult(tenant: tenant.name)
        let users = try await listUsers()
        let admins = try await adminIDs()
        let folder = configuration.outputDirectory
        let extensionName = configuration.format.rawValue + (configuration.gzip ? ".gz" : "")
        let target = "\(folder)/\(tenant.name).\(extensionName)"
        // The JSON Lines are written to a temporary first, then converted to the export asked for (which reads
        // every line back as `apply` would): an export that `pull` writes is one secinfo can read.
        let staging = try AtomicFileSink(path: "\(folder)/.secinfo-pull-\(tenant.name).jsonl")
        var written = false
        defer { if !written { staging.discard() } }
        let groups = stride(from: 0, to: users.count, by: GraphPull.usersPerBatch).map {
            Array(users[$0..<min($0 + GraphPull.usersPerBatch, users.count)])
        }
        var done = 0
        try await withThrowingTaskGroup(of: (Int, [[UInt8]], Int).self) { group in
            var next = 0
            var ready: [Int: ([[UInt8]], Int)] = [:]
            var writeIndex = 0
            func start() {
                guard next < groups.count else { return }
                let index = next
                let users = groups[index]
                group.addTask {
                    let (lines, gone) = try await readUsers(users, admins: admins); return (index, lines, gone)
                }
                next += 1
            }
            for _ in 0..<max(1, concurrency) { start() }
            while let (index, lines, gone) = try await group.next() {
                ready[index] = (lines, gone)
                while let (lines, gone) = ready.removeValue(forKey: writeIndex) {
                    for line in lines { try staging.write(line) }
                    result.users += lines.count
                    result.usersGone += gone
                    done += groups[writeIndex].count
                    writeIndex += 1
                }
                progress?(tenant.name, done, users.count)
                start()
            }
        }
        try staging.finish()
        try staging.commit()
        written = true
        defer { try? FileManager.default.removeItem(atPath: staging.path) }
        _ = try Conversion.run(from: staging.path, to: target, maximumInputBytes: Int.max)
        result.path = target
        result.admins = users.count { admins.contains($0.id) }
        if result.usersGone > 0 {
            logger.warning(
                "tenant \(tenant.name): \(result.usersGone) users were deleted while the tenant was read; not in the export"
            )
        }
        return result
    }

    // MARK: Lists

    /// Every user, following `@odata.nextLink`.
    private func listUsers() async throws -> [ListedUser] {
        var users: [ListedUser] = []
        try await page("/v1.0/users?$select=id,userPrincipalName&$top=999") { document, item in
            guard let id = item["id"].flatMap(document.string),
                let name = item["userPrincipalName"].flatMap(document.string)
            else { throw document.error(at: item.range.lowerBound, "a user without id or userPrincipalName") }
            users.append(ListedUser(id: id, userPrincipalName: name))
        }
        return users
    }

    /// The admins: from `userRegistrationDetails` (Entra ID P1), else the members of the directory roles.
    private func adminIDs() async throws -> Set<String> {
        var admins: Set<String> = []
        do {
            try await page("/v1.0/reports/authenticationMethods/userRegistrationDetails") { document, item in
                if case .bool(true) = item["isAdmin"]?.kind, let id = item["id"].flatMap(document.string) {
                    admins.insert(id)
                }
            }
            return admins
        } catch let refused as GraphRefusal where refused.status == 403 {
            logger.warning(
                "tenant \(tenant.name): the registration report is refused (403 \(refused.code); it needs Entra ID P1 and AuditLog.Read.All): isAdmin is taken from the members of the directory roles"
            )
        }
        admins = []
        try await page("/v1.0/directoryRoles?$expand=members") { document, role in
            guard case .array(let members)? = role["members"]?.kind else { return }
            for member in members {
                if let id = member["id"].flatMap(document.string) { admins.insert(id) }
            }
        }
        return admins
    }

    /// A collection's items, page after page.
    private func page(_ first: String, _ each: (JSONDocument, JSONValue) throws -> Void) async throws {
        var url: String? = first
        while let current = url {
            let response = try await limit.holding { try await client.get(current, tenant: tenant) }
            guard response.status == 200 else { throw GraphRefusal(response) }
            let document = try JSONReader.read(response.body, path: "\(tenant.name): \(current)")
            guard case .array(let items)? = document.root["value"]?.kind else {
                throw document.error(at: 0, "the page holds no \"value\" array")
            }
            for item in items { try each(document, item) }
            url = document.root["@odata.nextLink"].flatMap(document.string)
        }
    }

    // MARK: Users' methods

    /// A group of users' export lines, in the group's order, and how many were gone.
    private func readUsers(_ users: [ListedUser], admins: Set<String>) async throws -> ([[UInt8]], Int) {
        var requests: [BatchRequest] = []
        for (index, user) in users.enumerated() {
            let path = "/users/\(GraphMethodType.pathSegment(user.id))/authentication"
            requests.append(BatchRequest(id: "m\(index)", method: "GET", url: "\(path)/methods"))
            requests.append(BatchRequest(id: "p\(index)", method: "GET", url: "\(path)/signInPreferences"))
        }
        let answers = try await answer(requests)
        // Hardware tokens' serial numbers are on their `device`, a relationship the methods list leaves out.
        var tokenRequests: [BatchRequest] = []
        for index in users.indices {
            guard let (batch, answer) = answers["m\(index)"], answer.succeeded, let body = answer.body,
                case .array(let methods)? = body["value"]?.kind
            else { continue }
            let needsDevice = methods.contains { method in
                method["@odata.type"].flatMap(batch.document.string) == GraphMethodType.hardwareOathODataType
                    && method["device"]?["serialNumber"] == nil
            }
            if needsDevice {
                let path =
                    "/users/\(GraphMethodType.pathSegment(users[index].id))/authentication/hardwareOathMethods"
                tokenRequests.append(BatchRequest(id: "h\(index)", method: "GET", url: path))
            }
        }
        let tokenAnswers = tokenRequests.isEmpty ? [:] : try await answer(tokenRequests)
        var lines: [[UInt8]] = []
        var gone = 0
        for (index, user) in users.enumerated() {
            guard let methods = answers["m\(index)"], let preferences = answers["p\(index)"] else { continue }
            if methods.1.status == 404 || preferences.1.status == 404 {
                gone += 1
                continue
            }
            let tokens = tokenAnswers["h\(index)"]
            if let failed = [methods.1, preferences.1, tokens?.1].compactMap({ $0 }).first(where: { !$0.succeeded }) {
                throw GraphRefusal(status: failed.status, code: failed.errorCode, message: failed.errorMessage)
            }
            lines.append(
                UserLineComposer(tenant: tenant.name, user: user, isAdmin: admins.contains(user.id))
                    .line(methods: methods, preferences: preferences, tokens: tokens))
        }
        return (lines, gone)
    }

    /// Sends the requests in one batch, and again those Graph throttled, until each has its answer.
    private func answer(_ requests: [BatchRequest]) async throws -> [String: (BatchAnswers, BatchAnswer)] {
        var pending = requests
        var answers: [String: (BatchAnswers, BatchAnswer)] = [:]
        var attempt = 1
        while !pending.isEmpty {
            let body = BatchRequest.encode(pending)
            let exchange = try await limit.holding { try await client.postBatch(body, version: "beta", tenant: tenant) }
            var retryAfter: String?
            switch exchange {
            case .lost(let reason):
                guard attempt < client.retry.maximumTries else {
                    throw TenantUnavailable(tenant: tenant.name, reason: .unreachable(reason))
                }
            case .answered(let response) where response.status != 200:
                throw GraphRefusal(response)
            case .answered(let response):
                let batch = try BatchAnswers(response.body)
                var throttled: [BatchRequest] = []
                for request in pending {
                    guard let answer = batch.byID[request.id] else {
                        throw GraphRefusal(
                            status: 500, code: "missingResponse", message: "no response for \(request.id)")
                    }
                    if RetryPolicy.isRetryable(status: answer.status) {
                        throttled.append(request)
                        retryAfter = RetryPolicy.longer(retryAfter, answer.retryAfter)
                    } else {
                        answers[request.id] = (batch, answer)
                    }
                }
                pending = throttled
                guard !pending.isEmpty else { break }
                guard attempt < client.retry.maximumTries else {
                    throw TenantUnavailable(
                        tenant: tenant.name,
                        reason: .unreachable("Graph still throttled requests after \(attempt) tries"))
                }
            }
            if !pending.isEmpty {
                try await Task.sleep(for: client.retry.delay(afterAttempt: attempt, retryAfter: retryAfter))
                client.onRetry(tenant.name, "throttled")
            }
            attempt += 1
        }
        return answers
    }
}

/// Graph refused a request the pull cannot do without: the tenant's pull stops.
struct GraphRefusal: Error, CustomStringConvertible {
    var status: Int
    var code: String
    var message: String

    init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    init(_ response: GraphResponse) {
        status = response.status
        let document = try? JSONReader.read(response.body, path: "Graph's answer")
        code = document.flatMap { $0.root["error"]?["code"].flatMap($0.string) } ?? ""
        message = document.flatMap { $0.root["error"]?["message"].flatMap($0.string) } ?? ""
    }

    var reason: GraphFailure.Reason { .graph(status: status, code: code, message: ContactMask.text(message)) }
    var description: String { reason.description }
}
