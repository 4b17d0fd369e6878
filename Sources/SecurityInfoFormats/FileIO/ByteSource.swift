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
