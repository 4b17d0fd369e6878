import Foundation
import SecurityInfoEngine
import Synchronization

/// One line on a terminal's stderr, redrawn at most four times a second and cleared at the end. Only for a person
/// at a terminal: under cron stderr is no terminal and nothing is drawn.
final class TerminalLine: Sendable {
    private let lastDrawn = Mutex<ContinuousClock.Instant?>(nil)

    /// A line when stderr is a terminal and the run is not `--quiet`; otherwise none.
    static func make(quiet: Bool) -> TerminalLine? {
        quiet || isatty(STDERR_FILENO) == 0 ? nil : TerminalLine()
    }

    func draw(_ text: @autoclosure () -> String) {
        let due = lastDrawn.withLock { last in
            let now = ContinuousClock.now
            if let last, now - last < .milliseconds(250) { return false }
            last = now
            return true
        }
        if due { FileHandle.standardError.write(Data(("\r\u{1B}[K" + text()).utf8)) }
    }

    func finish() { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
}

/// The progress of a batch on a `TerminalLine`: pass, rows, rate and ETA.
final class TerminalProgress: ProgressObserver {
    private let line: TerminalLine

    private init(line: TerminalLine) { self.line = line }

    static func make(quiet: Bool) -> TerminalProgress? { TerminalLine.make(quiet: quiet).map(TerminalProgress.init) }

    func update(_ progress: BatchProgress) {
        line.draw(Self.text(progress))
    }

    func finish() { line.finish() }

    private static func text(_ progress: BatchProgress) -> String {
        let rate = progress.elapsed > 0 ? Int(Double(progress.rows) / progress.elapsed) : 0
        var text = "secinfo: \(progress.phase) · \(progress.rows) rows · \(rate) rows/s · "
        text += "\(Int(progress.fraction * 100))%"
        if let left = progress.secondsLeft {
            text += " · ETA \(Int(left) / 60):" + String(format: "%02d", Int(left) % 60)
        }
        return text
    }
}
