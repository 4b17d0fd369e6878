import Foundation
import SecurityInfoFormats
import Synchronization

/// Where a run is, for a person watching a terminal: the reading passes over the exports, rows read, and the
/// share of the exports' bytes read so far (once per reading), from which a rate and an ETA follow.
public struct BatchProgress: Sendable {
    /// "pass 1/1" (the one reading), "pass 1/2" or "pass 2/2".
    public var phase: String
    public var rows: Int
    public var bytesRead: Int
    /// The bytes all passes will read: the exports' size on disk, once per reading.
    public var bytesTotal: Int
    /// Seconds since the run started.
    public var elapsed: Double

    public var fraction: Double { bytesTotal > 0 ? min(1, Double(bytesRead) / Double(bytesTotal)) : 0 }

    /// Seconds left at the rate so far, once there is a rate to speak of.
    public var secondsLeft: Double? {
        guard fraction > 0.01, elapsed > 0.5 else { return nil }
        return elapsed * (1 - fraction) / fraction
    }
}

/// Told where a run is now and then (at most every few thousand users, from the reading thread).
public protocol ProgressObserver: Sendable {
    func update(_ progress: BatchProgress)
    /// The run has finished reading.
    func finish()
}

/// Counts what a pass has read (bytes on the reading thread, rows on the pipeline's collector), and tells the
/// observer every so often.
final class ProgressCounter: Sendable {
    private struct State {
        var bytesBefore = 0
        var bytesInFile = 0
        var rows = 0
        var phase = ""
        var sinceUpdate = 0
        var readings = 1
    }

    private let observer: (any ProgressObserver)?
    private let started = Date()
    private let exportBytes: Int
    private let state = Mutex(State())

    init(observer: (any ProgressObserver)?, exportBytes: Int) {
        self.observer = observer
        self.exportBytes = exportBytes
    }

    /// Starts a file of a pass; `of` is the number of readings of the exports the run now expects.
    func start(phase: String, of readings: Int) {
        state.withLock { state in
            state.readings = readings
            state.phase = phase
            state.bytesBefore += state.bytesInFile
            state.bytesInFile = 0
        }
    }

    /// For `observeRawBytes`: the file's own bytes read so far.
    func read(_ bytes: UnsafeRawBufferPointer) {
        guard observer != nil else { return }
        state.withLock { $0.bytesInFile += bytes.count }
    }

    /// Users read, with their rows.
    func count(_ users: [ChunkUser]) {
        guard let observer else { return }
        let rows = users.reduce(0) { $0 + $1.rowCount }
        let progress = state.withLock { (state) -> BatchProgress? in
            state.rows += rows
            state.sinceUpdate += users.count
            guard state.sinceUpdate >= 4096 else { return nil }
            state.sinceUpdate = 0
            return BatchProgress(
                phase: state.phase, rows: state.rows, bytesRead: state.bytesBefore + state.bytesInFile,
                bytesTotal: state.readings * exportBytes, elapsed: Date().timeIntervalSince(started))
        }
        if let progress { observer.update(progress) }
    }

    func finish() { observer?.finish() }
}
