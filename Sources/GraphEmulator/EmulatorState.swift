import Foundation
import NIOHTTP1

/// Everything the emulator holds, changed only under its lock: the authority, the tenants' directories, the
/// throttle, and what has been served.
struct EmulatorState: Sendable {
    let configuration: GraphEmulator.Configuration
    var baseURL = ""
    var authority = Authority()
    var directories: [String: TenantDirectory] = [:]
    var throttle: Throttle
    var statistics = GraphEmulator.Statistics()
    var appliedMutations: [String] = []

    init(configuration: GraphEmulator.Configuration) {
        self.configuration = configuration
        throttle = Throttle(seed: configuration.seed, requestsPerSecond: configuration.requestsPerSecondPerTenant)
    }

    /// The answer to one HTTP request: the token endpoint, a `$batch`, or a direct Graph request.
    mutating func exchange(_ request: HTTPRequestMessage, now: ContinuousClock.Instant) -> ExchangeOutcome {
        let path = request.uri.prefix { $0 != "?" }
        let segments = path.split(separator: "/").map(String.init)
        if segments.count == 4, segments[1...] == ["oauth2", "v2.0", "token"] {
            statistics.tokenRequests += 1
            return .respond(token(segments[0], request, now: now), afterSeconds: 0)
        }
        if throttle.dropsNextConnection() {
            statistics.dropped += 1
            return .dropConnection
        }
        let tenantName: String
        do {
            tenantName = try authority.tenantName(authorization: request.headers.first(name: "Authorization"), now: now)
        } catch {
            return .respond(Self.bearerRefusal(error).response, afterSeconds: 0)
        }
        let delay = throttle.faults.responseDelaySeconds[tenantName] ?? 0
        guard let version = segments.first.flatMap(APIVersion.init(rawValue:)) else {
            return .respond(
                GraphAnswer.badRequest("Invalid version: \(segments.first ?? "")").response, afterSeconds: delay)
        }
        if segments.count == 2, segments[1] == "$batch" {
            guard request.method == .POST else {
                return .respond(GraphAnswer.methodNotAllowed.response, afterSeconds: delay)
            }
            return .respond(
                batch(request.body, version: version, tenantName: tenantName, now: now), afterSeconds: delay)
        }
        statistics.requests += 1
        var body: JSONValue?
        if !request.body.isEmpty {
            guard let parsed = try? JSONParser.parse(request.body) else {
                return .respond(
                    GraphAnswer.badRequest("The request body is not valid JSON.").response, afterSeconds: delay)
            }
            body = parsed
        }
        let graphRequest = GraphRequest(
            method: request.method.rawValue, version: version,
            relativeURL: String(request.uri.dropFirst(1 + version.rawValue.count)), body: body)
        let key = "\(tenantName) \(graphRequest.retryKey)"
        if throttle.isEarly(key, now: now) { statistics.earlyRetries += 1 }
        return .respond(
            run(graphRequest, key: key, tenantName: tenantName, inBatch: false, now: now).response, afterSeconds: delay)
    }

    private mutating func token(_ tenantID: String, _ request: HTTPRequestMessage, now: ContinuousClock.Instant)
        -> HTTPResponseMessage
    {
        guard request.method == .POST else { return GraphAnswer.methodNotAllowed.response }
        var origins = [baseURL]
        if let host = request.headers.first(name: "Host") { origins.append("http://\(host)") }
        let context = TokenRequestContext(
            now: now, wallClock: .now, tokenLifetimeSeconds: configuration.tokenLifetimeSeconds, origins: origins,
            failingTenants: throttle.faults.failingTokenTenants)
        return authority.token(tenantID: PercentDecoding.decode(tenantID[...]), request: request, context: context)
    }

    private static func bearerRefusal(_ refusal: Authority.BearerRefusal) -> GraphAnswer {
        let message =
            switch refusal {
            case .missing: "Access token is empty."
            case .unknown: "Access token validation failure. Invalid audience."
            case .expired: "Lifetime validation failed, the token is expired."
            }
        return .error(401, "InvalidAuthenticationToken", message)
    }

    /// A `$batch`: refused whole (400, an injected 503 or 429), or 200 with each request's answer in order, a
    /// request whose dependency failed answered 424 and not run.
    private mutating func batch(_ body: [UInt8], version: APIVersion, tenantName: String, now: ContinuousClock.Instant)
        -> HTTPResponseMessage
    {
        statistics.batches += 1
        let payload: BatchPayload
        do {
            payload = try BatchPayload(body, version: version)
        } catch {
            if error.isOversize { statistics.rejectedOversizeBatches += 1 }
            return error.answer.response
        }
        statistics.requests += payload.items.count
        let keys = payload.items.map { "\(tenantName) \($0.request.retryKey)" }
        for key in keys where throttle.isEarly(key, now: now) { statistics.earlyRetries += 1 }
        if throttle.failsBatch() {
            statistics.unavailable += 1
            return GraphAnswer.error(503, "ServiceNotAvailable", "The service is temporarily unavailable.").response
        }
        if throttle.throttlesBatch() {
            statistics.throttled += 1
            let seconds = throttle.faults.retryAfterSeconds
            for key in keys { throttle.told(key, toWait: seconds, now: now) }
            return GraphAnswer.throttled(retryAfter: seconds).response
        }
        var statuses: [String: Int] = [:]
        var responses: [JSONValue] = []
        for (item, key) in zip(payload.items, keys) {
            let answer: GraphAnswer
            if let failed = item.dependsOn.first(where: { !(200..<300).contains(statuses[$0.lowercased()] ?? 424) }) {
                answer = .error(
                    424, "FailedDependency", "The request depends on request '\(failed)', which did not succeed.")
            } else {
                answer = run(item.request, key: key, tenantName: tenantName, inBatch: true, now: now)
            }
            statuses[item.id.lowercased()] = answer.status
            var headers = JSONObject()
            if answer.body != nil { headers["Content-Type"] = .string("application/json") }
            if let retryAfter = answer.retryAfter { headers["Retry-After"] = .string(String(retryAfter)) }
            var response = JSONObject([("id", .string(item.id)), ("status", .number(String(answer.status)))])
            response["headers"] = .object(headers)
            if let body = answer.body { response["body"] = body }
            responses.append(.object(response))
        }
        return .json(200, .object(JSONObject([("responses", .array(responses))])))
    }

    /// One Graph request, unless the throttle answers it 429 first.
    private mutating func run(
        _ request: GraphRequest, key: String, tenantName: String, inBatch: Bool, now: ContinuousClock.Instant
    ) -> GraphAnswer {
        if let wait = throttle.retryAfter(tenant: tenantName, inBatch: inBatch, now: now) {
            statistics.throttled += 1
            throttle.told(key, toWait: wait, now: now)
            return .throttled(retryAfter: wait)
        }
        let graph = TenantGraph(
            hasPremiumReports: authority.tenants[tenantName]?.hasPremiumReports ?? true,
            baseURL: baseURL, pageSize: configuration.pageSize)
        let (answer, mutation) = graph.answer(request, in: &directories[tenantName, default: TenantDirectory()])
        if let mutation { appliedMutations.append("\(tenantName) \(mutation)") }
        return answer
    }
}
