import Crypto
import SecurityInfoFormats

/// The SHA-256 of an input's own bytes (compressed or not), as `summary.json` and plan files record it, taken from
/// the bytes its reader is given (`InputFile`'s observer): what is hashed is what is parsed, in one opening.
final class InputDigest {
    private var hasher = SHA256()
    private(set) var bytes = 0

    /// For `InputFile`'s observer.
    func update(_ buffer: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: buffer)
        bytes += buffer.count
    }

    /// The digest in lower-case hex.
    func finish() -> String {
        let digits = Array("0123456789abcdef")
        return String(hasher.finalize().flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}
