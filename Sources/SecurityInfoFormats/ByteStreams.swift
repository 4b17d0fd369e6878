import Glibc

/// A stream of bytes read in chunks: a file now, a gzip stream over a file later.
public protocol ByteSource: AnyObject {
    /// The name errors give the stream.
    var path: String { get }
    /// Reads up to `buffer.count` bytes; 0 means the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int
}

extension ByteSource {
    /// Every byte to the end: for small inputs only (a policy file), never for exports.
    public func readAll() throws(InputError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try chunk.withUnsafeMutableBytes { (buffer) -> Result<Int, InputError> in
                do throws(InputError) { return .success(try read(into: buffer)) } catch { return .failure(error) }
            }.get()
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }
}

/// A place bytes are written to, in order.
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws(OutputError)
    /// Writes out whatever is buffered (a compressor's last block, a file's buffer); nothing may follow.
    func finish() throws(OutputError)
}

extension ByteSink {
    public func write(_ bytes: [UInt8]) throws(OutputError) {
        var failure: OutputError?
        bytes.withUnsafeBytes { buffer in
            do throws(OutputError) { try write(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}

/// Why an output could not be written. Stops the run; nothing is renamed into place.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

func systemErrorText(_ code: Int32) -> String { String(cString: strerror(code)) }

/// A file opened for reading; owns its descriptor and closes it when released.
public final class FileByteSource: ByteSource {
    public let path: String
    private let descriptor: Int32

    public init(path: String) throws(InputError) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw InputError(file: path, "cannot open: \(systemErrorText(errno))") }
        var status = stat()
        if fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw InputError(file: path, "is a folder, not a file")
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw InputError(file: path, "cannot read: \(systemErrorText(errno))") }
        }
    }
}

/// Bytes in memory, for tests and for small inputs already read.
public final class MemoryByteSource: ByteSource {
    public let path: String
    private let bytes: [UInt8]
    private let failure: InputError?
    private var offset = 0

    /// - Parameter failure: raised once the bytes are read, where the stream they came from failed.
    public init(path: String, bytes: [UInt8], failure: InputError? = nil) {
        self.path = path
        self.bytes = bytes
        self.failure = failure
    }

    public convenience init(path: String, text: String) { self.init(path: path, bytes: Array(text.utf8)) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if offset == bytes.count, let failure, buffer.count > 0 { throw failure }
        let count = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}

extension ByteSource {
    /// Reads once into `buffer` and appends what came to `bytes`, as the chunk readers gather a file; returns
    /// whether the source is at its end.
    func readAppending(to bytes: inout [UInt8], through buffer: inout [UInt8]) throws(InputError) -> Bool {
        let count = try buffer.withUnsafeMutableBytes { (buffer) -> Result<Int, InputError> in
            do throws(InputError) { return .success(try read(into: buffer)) } catch { return .failure(error) }
        }.get()
        bytes.append(contentsOf: buffer[..<count])
        return count == 0
    }
}

/// Collects what is written, for tests and for outputs a dry run only counts.
public final class MemoryByteSink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ buffer: UnsafeRawBufferPointer) throws(OutputError) { bytes.append(contentsOf: buffer) }
    public func finish() throws(OutputError) {}
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Discards what is written: `plan` encodes every output to count it, and keeps none.
public final class DiscardingByteSink: ByteSink {
    public init() {}
    public func write(_ buffer: UnsafeRawBufferPointer) throws(OutputError) {}
    public func finish() throws(OutputError) {}
}

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

    /// Empties the temporary file, to be written again from its start.
    public func restart() throws(OutputError) {
        buffer.removeAll(keepingCapacity: true)
        guard descriptor >= 0, ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw OutputError(path: path, "cannot empty the temporary file: \(systemErrorText(errno))")
        }
        isFinished = false
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
