import Crypto
import SecurityInfoFormats

/// A file's SHA-256, as `summary.json` (and the plan files of the engine issue) record it.
enum FileDigest {
    static func sha256(path: String) throws(InputError) -> (hex: String, bytes: Int) {
        let source = try FileByteSource(path: path)
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var total = 0
        while true {
            let count = try buffer.withUnsafeMutableBytes { (bytes) -> Result<Int, InputError> in
                do throws(InputError) { return .success(try source.read(into: bytes)) } catch { return .failure(error) }
            }.get()
            if count == 0 { break }
            hasher.update(data: buffer[..<count])
            total += count
        }
        let digits = Array("0123456789abcdef")
        let hex = hasher.finalize().flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }
        return (String(hex), total)
    }
}
