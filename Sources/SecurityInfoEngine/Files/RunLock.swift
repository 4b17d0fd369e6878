import Glibc

/// `--lock PATH`: an exclusive `flock` held for the life of the run, so two cron runs never overlap. The lock
/// goes with the process: a run killed with `kill -9` leaves no lock behind. Owns its file descriptor.
public final class RunLock {
    public enum Failure: Error, CustomStringConvertible {
        /// Another run holds the lock (exit 75).
        case held(String)
        /// The lock file cannot be opened (exit 2).
        case cannotOpen(String, String)

        public var description: String {
            switch self {
            case .held(let path): "another run holds the lock \(path)"
            case .cannotOpen(let path, let reason): "cannot open the lock file \(path): \(reason)"
            }
        }

        public var exitStatus: ExitStatus {
            switch self {
            case .held: .lockHeld
            case .cannotOpen: .usageOrInputError
            }
        }
    }

    private let descriptor: Int32

    /// Takes the lock at once or fails: a cron job must not queue up behind a stuck run.
    public init(path: String) throws(Failure) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cannotOpen(path, String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(descriptor)
            if reason == EWOULDBLOCK { throw .held(path) }
            throw .cannotOpen(path, String(cString: strerror(reason)))
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}
