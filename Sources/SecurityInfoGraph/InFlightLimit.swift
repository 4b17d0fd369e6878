/// At most so many requests (batches) in flight at once: `--concurrency`. Waiters are served in the order they
/// came.
actor InFlightLimit {
    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { available = max(1, count) }

    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            available += 1
        } else {
            waiting.removeFirst().resume()
        }
    }

    /// Runs `body` holding one place.
    func holding<Value: Sendable, Failure: Error>(_ body: @Sendable () async throws(Failure) -> Value)
        async throws(Failure) -> Value
    {
        await acquire()
        defer { release() }
        return try await body()
    }
}
