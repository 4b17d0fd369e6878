/// Decides which requests are throttled, unavailable or dropped (the injected faults and the per-tenant rate), and
/// remembers each throttled request's `Retry-After` to count the clients that come back too soon.
struct Throttle: Sendable {
    /// A tenant's token bucket: `rate` requests a second, bursts up to `rate`.
    private struct Bucket {
        var tokens: Double
        var refilled: ContinuousClock.Instant
    }

    var faults = GraphEmulator.Faults()
    private var generator: SeededGenerator
    private let requestsPerSecond: Int?
    private var buckets: [String: Bucket] = [:]
    /// "tenant METHOD /version/url" → when its `Retry-After` passes.
    private var retryDeadlines: [String: ContinuousClock.Instant] = [:]

    init(seed: UInt64, requestsPerSecond: Int?) {
        generator = SeededGenerator(seed: seed)
        self.requestsPerSecond = requestsPerSecond.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Whether the next request to Graph is one whose connection is to be dropped (and counts it down).
    mutating func dropsNextConnection() -> Bool {
        guard faults.droppedConnections > 0 else { return false }
        faults.droppedConnections -= 1
        return true
    }

    mutating func throttlesBatch() -> Bool { generator.chance(faults.throttledBatchShare) }
    mutating func failsBatch() -> Bool { generator.chance(faults.unavailableShare) }

    /// The `Retry-After` for one request inside a batch or a direct one, or nil to run it: the injected share
    /// first, then the tenant's rate.
    mutating func retryAfter(tenant: String, inBatch: Bool, now: ContinuousClock.Instant) -> Int? {
        if inBatch, generator.chance(faults.throttledShare) { return faults.retryAfterSeconds }
        guard let rate = requestsPerSecond else { return nil }
        var bucket = buckets[tenant] ?? Bucket(tokens: Double(rate), refilled: now)
        let elapsed = now - bucket.refilled
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        bucket.tokens = min(Double(rate), bucket.tokens + seconds * Double(rate))
        bucket.refilled = now
        defer { buckets[tenant] = bucket }
        guard bucket.tokens >= 1 else { return 1 }
        bucket.tokens -= 1
        return nil
    }

    /// Remembers that a request was told to wait.
    mutating func told(_ key: String, toWait seconds: Int, now: ContinuousClock.Instant) {
        retryDeadlines[key] = now + .seconds(seconds)
    }

    /// Whether this request arrives before the `Retry-After` it was last given had passed.
    mutating func isEarly(_ key: String, now: ContinuousClock.Instant) -> Bool {
        guard let deadline = retryDeadlines.removeValue(forKey: key) else { return false }
        return now < deadline
    }
}

/// SplitMix64: a small generator whose sequence is fixed by its seed, so a run's throttled requests repeat.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// True with the given probability; no draw for a share of 0 or less.
    mutating func chance(_ share: Double) -> Bool {
        guard share > 0 else { return false }
        return Double(next() >> 11) * 0x1p-53 < share
    }
}
