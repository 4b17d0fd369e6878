import Foundation
import SecurityInfoEngine
import Synchronization

/// The progress line on a terminal's stderr: pass, rows, rate and ETA, redrawn at most four times a second and
/// cleared at the end. Only for a person at a terminal: under cron stderr is no terminal and nothing is drawn.
final class TerminalProgress: ProgressObserver {
    private let lastDrawn = Mutex<Double>(0)

    /// A progress line when stderr is a terminal and the run is not `--quiet`; otherwise none.
    static func make(quiet: Bool) -> TerminalProgress? {
        quiet || isatty(STDERR_FILENO) == 0 ? nil : TerminalProgress()
    }

    func update(_ progress: BatchProgress) {
        let due = lastDrawn.withLock { last in
            guard progress.elapsed - last >= 0.25 else { return false }
            last = progress.elapsed
            return true
        }
        guard due else { return }
        let rate = progress.elapsed > 0 ? Int(Double(progress.rows) / progress.elapsed) : 0
        var line = "secinfo: \(progress.phase) · \(progress.rows) rows · \(rate) rows/s · "
        line += "\(Int(progress.fraction * 100))%"
        if let left = progress.secondsLeft {
            line += " · ETA \(Int(left) / 60):" + String(format: "%02d", Int(left) % 60)
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
