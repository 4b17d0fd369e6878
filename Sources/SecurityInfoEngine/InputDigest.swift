import Crypto
import SecurityInfoFormats

/// A file's SHA-256, as `summary.json` and plan files record it: of the file's own bytes, compressed or not.
///
/// Only the raw bytes are read here, so a stale plan is refused before any parsing. gzip integrity and
/// `--max-input-bytes` are checked by the readers as they go (a bomb stops at the limit, in bounded memory);
/// inflating every input once more only to check it cost a tenth of a run.
enum FileDigest {
    static func sha256(path: String) throws(InputError) -> (hex: String, bytes: Int) {
        var hasher = SHA256()
        let source = try FileByteSource(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 1)
        defer { buffer.deallocate() }
        var bytes = 0
        while true {
            let count = try source.read(into: buffer)
            if count == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            bytes += count
        }
        let digits = Array("0123456789abcdef")
        let hex = hasher.finalize().flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }
        return (String(hex), bytes)
    }
}
