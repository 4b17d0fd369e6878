import Foundation

/// Where a run is, for a person watching a terminal: the reading passes over the exports, rows read, and the
/// share of the exports' bytes read so far (each export is read twice), from which a rate and an ETA follow.
public struct BatchProgress: Sendable {
    /// "pass 1/2" or "pass 2/2".
    public var phase: String
    public var rows: Int
    public var bytesRead: Int
    /// The bytes all passes will read: twice the exports' size on disk.
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

/// Counts what the reading thread has read, and tells the observer every so often.
final class ProgressCounter {
    private let observer: (any ProgressObserver)?
    private let started = Date()
    private let bytesTotal: Int
    private var bytesBefore = 0
    private var bytesInFile = 0
    private var rows = 0
    private var phase = ""
    private var sinceUpdate = 0

    init(observer: (any ProgressObserver)?, exportBytes: Int) {
        self.observer = observer
        bytesTotal = 2 * exportBytes
    }

    /// Starts a file of a pass.
    func start(phase: String) {
        self.phase = phase
        bytesBefore += bytesInFile
        bytesInFile = 0
    }

    /// For `observeRawBytes`: the file's own bytes read so far.
    func read(_ bytes: UnsafeRawBufferPointer) { bytesInFile += bytes.count }

    func count(rows: Int) {
        guard let observer else { return }
        self.rows += rows
        sinceUpdate += 1
        guard sinceUpdate >= 4096 else { return }
        sinceUpdate = 0
        observer.update(
            BatchProgress(
                phase: phase, rows: self.rows, bytesRead: bytesBefore + bytesInFile, bytesTotal: bytesTotal,
                elapsed: Date().timeIntervalSince(started)))
    }

    func finish() { observer?.finish() }
}
