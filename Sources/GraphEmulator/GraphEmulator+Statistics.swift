extension GraphEmulator {
    /// What the emulator has served so far.
    public struct Statistics: Sendable, Equatable {
        public var tokenRequests = 0
        /// `$batch` POSTs, whatever their answer.
        public var batches = 0
        /// Graph requests: each one inside a batch, and each direct one (a `$batch` POST itself not counted).
        public var requests = 0
        /// 429 answers: a request's inside a batch, a whole batch's, or a direct request's.
        public var throttled = 0
        /// Requests (same tenant, method and URL) that came back before the `Retry-After` they were given had passed.
        public var earlyRetries = 0
        /// Whole batches answered 503.
        public var unavailable = 0
        /// Connections closed unanswered.
        public var dropped = 0
        /// Batches of more than 20 requests, refused 400.
        public var rejectedOversizeBatches = 0

        public init() {}
    }
}
