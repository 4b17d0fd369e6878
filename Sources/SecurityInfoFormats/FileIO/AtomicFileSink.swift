import Glibc

/// A file written under a hidden temporary name in its folder and renamed into place by `commit()`, so a
/// reader never sees half of it. Released without a commit, it removes the temporary file.
public final class AtomicFileSink: ByteSink {
    /// The name the file takes when committed.
    public let path: String
    /// The hidden temporary name it is written under.
    public let temporaryPath: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var isFinished = false
    private static let bufferSize = 1 << 18

    /// The prefix of every temporary name, so a later run can find and remove stale ones.
    public static let temporaryPrefix = ".secinfo-tmp-"

    /// Removes the temporary files a killed run left in a folder: those whose process (the pid in the name) is
    /// gone. A running process's files, another run's say, are left alone. Returns the names removed.
    @discardableResult
    public static func removeStaleTemporaries(in folder: String) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var removed: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(cString: $0.bindMemory(to: CChar.self).baseAddress!)
            }
            guard name.hasPrefix(temporaryPrefix) else { continue }
            let pidText = name.dropFirst(temporaryPrefix.count).prefix { $0.isNumber }
            guard let pid = pid_t(pidText), pid != getpid(), kill(pid, 0) == -1, errno == ESRCH else { continue }
            if unlink(folder + "/" + name) == 0 { removed.append(name) }
        }
        return removed.sorted()
    }

    public init(path: String) throws(OutputError) {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporaryPath = "\(folder)\(Self.temporaryPrefix)\(getpid())-\(name)"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw OutputError(path: path, "cannot create: \(systemErrorText(errno))") }
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit { discard() }

    /// Gives the file up: closes and removes the temporary file, leaving whatever was at `path` as it was.
    /// A failed run calls this at once rather than waiting for the last reference to go.
    public func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        unlink(temporaryPath)
        descriptor = -1
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    private func flush() throws(OutputError) {
        var written = 0
        while written < buffer.count {
            let count = buffer.withUnsafeBytes {
                Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw OutputError(path: path, "cannot write: \(systemErrorText(errno))")
            }
            written += count
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and syncs the temporary file, so that `commit()` has only a rename left to do.
    public func finish() throws(OutputError) {
        guard !isFinished else { return }
        try flush()
        guard fsync(descriptor) == 0 else { throw OutputError(path: path, "cannot sync: \(systemErrorText(errno))") }
        isFinished = true
    }

    /// Finishes the file if that is not done yet, and renames it into place.
    public func commit() throws(OutputError) {
        guard descriptor >= 0 else { return }
        try finish()
        guard rename(temporaryPath, path) == 0 else {
            throw OutputError(path: path, "cannot rename into place: \(systemErrorText(errno))")
        }
        close(descriptor)
        descriptor = -1
    }
}
