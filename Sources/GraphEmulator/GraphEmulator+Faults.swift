extension GraphEmulator {
    /// Failures to inject, changeable while the emulator runs.
    public struct Faults: Sendable {
        /// Share of requests inside a batch answered with their own 429 and `Retry-After` (never run); the batch
        /// itself is answered 200, as Graph does.
        public var throttledShare: Double = 0
        /// Share of whole `$batch` POSTs answered 429 with a `Retry-After` header.
        public var throttledBatchShare: Double = 0
        /// Share of whole `$batch` POSTs answered 503, without `Retry-After`.
        public var unavailableShare: Double = 0
        /// The `Retry-After` seconds given with an injected 429 (0 allowed, for fast tests).
        public var retryAfterSeconds: Int = 1
        /// The next N requests to Graph (the token endpoint excepted) have their connection closed unanswered.
        public var droppedConnections: Int = 0
        /// Names of tenants whose token requests fail with 401 `invalid_client`.
        public var failingTokenTenants: Set<String> = []
        /// Tenant name → seconds to wait before each of its Graph responses ("a slow tenant").
        public var responseDelaySeconds: [String: Double] = [:]

        public init() {}
    }
}
