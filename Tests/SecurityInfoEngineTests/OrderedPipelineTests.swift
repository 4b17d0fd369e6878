import Foundation
import SecurityInfo
import Synchronization
import Testing

@testable import SecurityInfoEngine

/// The worker queues behind every reading: results consumed in submission order whatever the workers' timing, the
/// first failure wins and stops the consuming, and no more than `limit` inputs in flight.
@Suite("Ordered pipeline")
struct OrderedPipelineTests {
    struct Failure: Error, Equatable { var input: Int }

    @Test("results are consumed in submission order under random delays, for 1, 2 and 8 workers", arguments: [1, 2, 8])
    func order(workers: Int) throws {
        var random = SeededGenerator(seed: UInt64(workers))
        let delays = (0..<300).map { _ in UInt32.random(in: 0..<400, using: &random) }
        let consumed = CollectorConfined<[Int]>([])
        let pipeline = OrderedPipeline<Int, Int, Failure>(
            workers: workers, limit: 2 * workers + 2,
            transform: { input in
                usleep(delays[input])
                return input * 10
            },
            consume: { consumed.value.append($0) })
        for input in 0..<300 { try pipeline.submit(input) }
        try pipeline.finish()
        #expect(consumed.value == (0..<300).map { $0 * 10 })
    }

    @Test("the first failure in submission order wins; nothing after it is consumed")
    func firstFailureWins() {
        let consumed = CollectorConfined<[Int]>([])
        let pipeline = OrderedPipeline<Int, Int, Failure>(
            workers: 4, limit: 10,
            transform: { input throws(Failure) in
                // The later failure is met first: the earlier one still wins, being earlier in the input.
                if input == 7 { usleep(20_000) }
                if input == 7 || input == 9 { throw Failure(input: input) }
                return input
            },
            consume: { consumed.value.append($0) })
        var submitFailure: Failure?
        do throws(Failure) {
            for input in 0..<40 { try pipeline.submit(input) }
        } catch { submitFailure = error }
        #expect(throws: Failure(input: 7)) { try pipeline.finish() }
        if let submitFailure { #expect(submitFailure == Failure(input: 7)) }
        #expect(consumed.value == Array(0..<7))
    }

    @Test("a failure while consuming stops the consuming and is what finish throws")
    func consumeFailure() {
        let consumed = CollectorConfined<[Int]>([])
        let pipeline = OrderedPipeline<Int, Int, Failure>(
            workers: 2, limit: 4, transform: { $0 },
            consume: { output throws(Failure) in
                if output == 5 { throw Failure(input: 5) }
                consumed.value.append(output)
            })
        do throws(Failure) { for input in 0..<20 { try pipeline.submit(input) } } catch {}
        #expect(throws: Failure(input: 5)) { try pipeline.finish() }
        #expect(consumed.value == Array(0..<5))
    }

    @Test("no more than limit inputs are in flight (submitted, not yet consumed)", arguments: [1, 3, 6])
    func inFlightLimit(limit: Int) throws {
        struct Count {
            var inFlight = 0
            var most = 0
        }
        let count = Mutex(Count())
        let pipeline = OrderedPipeline<Int, Int, Failure>(
            workers: 4, limit: limit,
            transform: { input in
                usleep(UInt32(input % 3) * 300)
                return input
            },
            consume: { _ in
                usleep(200)
                count.withLock { $0.inFlight -= 1 }
            })
        for input in 0..<200 {
            // Counted before submit: submit waits for a slot, so the count may run at most one ahead of the slots.
            count.withLock {
                $0.inFlight += 1
                $0.most = max($0.most, $0.inFlight)
            }
            try pipeline.submit(input)
        }
        try pipeline.finish()
        #expect(count.withLock { $0.most } <= limit + 1)
        #expect(count.withLock { $0.most } >= min(limit, 2), "the pipeline does fill up")
    }
}
