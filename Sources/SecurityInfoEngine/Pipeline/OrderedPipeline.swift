import Dispatch
import Synchronization

/// Work spread over N serial Dispatch queues, its results consumed one at a time, in the order it was submitted.
///
/// The submitting thread (the one reading an export) hands in batches of whole users; batch `i` runs on worker
/// `i % N`, so a user's changes stay in order on one queue; results come back through one serial collector queue
/// that consumes them in submission order, so outputs are the same bytes for any number of workers. At most
/// `limit` batches are in flight (submitted and not yet consumed): `submit` waits for a slot, which bounds memory
/// to `limit` batches whatever the size of the export.
final class OrderedPipeline<Input: Sendable, Output: Sendable, Failure: Error>: Sendable {
    private struct State {
        var submitted = 0
        var nextToConsume = 0
        var pending: [Int: Result<Output, Failure>] = [:]
        var failure: Failure?
    }

    private let workers: [DispatchQueue]
    private let collector = DispatchQueue(label: "secinfo.pipeline.collector")
    private let slots: DispatchSemaphore
    private let group = DispatchGroup()
    private let state = Mutex(State())
    private let transform: @Sendable (Input) throws(Failure) -> Output
    private let consume: @Sendable (Output) throws(Failure) -> Void

    /// - Parameters:
    ///   - transform: runs on a worker queue; must not touch shared mutable state.
    ///   - consume: runs on the collector queue, one result at a time, in submission order.
    init(
        workers: Int, limit: Int, transform: @escaping @Sendable (Input) throws(Failure) -> Output,
        consume: @escaping @Sendable (Output) throws(Failure) -> Void
    ) {
        self.workers = (0..<max(workers, 1)).map { DispatchQueue(label: "secinfo.pipeline.worker.\($0)") }
        slots = DispatchSemaphore(value: max(limit, 1))
        self.transform = transform
        self.consume = consume
    }

    /// Hands in one batch; waits while `limit` batches are in flight. Throws the first failure of the pipeline.
    func submit(_ input: Input) throws(Failure) {
        slots.wait()
        let index: Int? = state.withLock { state in
            guard state.failure == nil else { return nil }
            defer { state.submitted += 1 }
            return state.submitted
        }
        guard let index else {
            slots.signal()
            throw state.withLock { $0.failure! }
        }
        group.enter()
        workers[index % workers.count].async { [self] in
            let result = Result { () throws(Failure) in try transform(input) }
            collector.async { [self] in deliver(result, at: index) }
        }
    }

    /// Waits for every batch to be consumed; throws the first failure.
    func finish() throws(Failure) {
        group.wait()
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }

    /// On the collector queue: consumes every result that is next in order.
    private func deliver(_ result: Result<Output, Failure>, at index: Int) {
        let ready: [Result<Output, Failure>] = state.withLock { state in
            state.pending[index] = result
            var ready: [Result<Output, Failure>] = []
            while let next = state.pending.removeValue(forKey: state.nextToConsume) {
                ready.append(next)
                state.nextToConsume += 1
            }
            return ready
        }
        for result in ready {
            if state.withLock({ $0.failure == nil }) {
                do throws(Failure) { try consume(try result.get()) } catch {
                    state.withLock { state in state.failure = state.failure ?? error }
                }
            }
            slots.signal()
            group.leave()
        }
    }
}
