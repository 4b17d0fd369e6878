import Crypto
import SecurityInfoFormats

/// A file's SHA-256, as `summary.json` and plan files record it, taken in the same read
/// that checks the file whole (gzip integrity, `--max-input-bytes`) before any parsing.
enum FileDigest {
    static func sha256(path: String, maximumBytes: Int) throws(InputError) -> (hex: String, bytes: Int) {
        let hasher = Hasher()
        let size = try FormatRegistry.verify(path: path, maximumBytes: maximumBytes) { hasher.update($0) }
        let digits = Array("0123456789abcdef")
        let hex = hasher.state.finalize().flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }
        return (String(hex), size.bytes)
    }

    /// Holds the running digest for the observer closure.
    private final class Hasher {
        var state = SHA256()
        func update(_ bytes: UnsafeRawBufferPointer) { state.update(bufferPointer: bytes) }
    }
}
