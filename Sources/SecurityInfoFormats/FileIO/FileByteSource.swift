import Glibc

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
