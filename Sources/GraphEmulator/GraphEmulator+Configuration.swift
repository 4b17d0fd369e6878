extension GraphEmulator {
    /// What stays fixed while the emulator runs.
    public struct Configuration: Sendable {
        /// Items on a page of `users`, `userRegistrationDetails` and `directoryRoles` when `$top` does not say.
        public var pageSize = 100
        /// A token's `expires_in`; a bearer older than this is refused with 401.
        public var tokenLifetimeSeconds = 3599
        /// Seeds the generator that picks throttled requests, so a run repeats for the same requests in order.
        public var seed: UInt64 = 1
        /// A token bucket per tenant over its Graph requests (inside batches and direct): past it a request is
        /// answered 429 with `Retry-After`. nil: no limit.
        public var requestsPerSecondPerTenant: Int? = nil

        public init() {}
    }
}
