internal import CDeflate
internal import CZlib
import Glibc

/// gzip's magic number: a stream is compressed when it starts with these bytes, whatever its name.
let gzipMagic: [UInt8] = [0x1F, 0x8B]

/// Reads a gzip stream (RFC 1952) from another source through zlib's inflate, one member after another.
/// Owns its `z_stream` and input buffer (allocated once: zlib keeps pointers into both) and frees them on release.
///
/// A stream that ends inside a member is truncated; a member whose CRC or length does not match is corrupt; the
/// decompressed total may not pass `maximumBytes`, so a gzip bomb stops early and in bounded memory.
///
/// The member's CRC is computed by libdeflate, not zlib (`inflateValidate` off): zlib's table CRC was a third of the
/// inflating, 1.5 % of a run's CPU, libdeflate's carry-less multiply a fraction of that. Each member's trailer is
/// then checked here, from the last eight bytes inflate consumed. (Turning zlib's check off also stops it checking
/// the optional header CRC, FHCRC, which covers only the header's own fields and which `gzip` does not write.)
public final class GzipSource: ByteSource {
    public var path: String { compressed.path }
    private let compressed: any ByteSource
    private let maximumBytes: Int
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var inputAtEnd = false
    private var memberEnded = false
    private var produced = 0
    /// The running CRC-32 and length (modulo 2^32) of the member being inflated, for its trailer.
    private var memberCRC: UInt32 = 0
    private var memberLength: UInt32 = 0
    /// How many bytes the input buffer holds, and the last bytes consumed before them (a trailer may straddle two
    /// reads of the compressed stream).
    private var inputCount = 0
    private var consumedBefore: [UInt8] = []
    /// An error met by a call that also produced bytes: those bytes are handed out first, so that the error is
    /// placed after them (at the line the text had reached).
    private var pendingError: InputError?

    public init(source: any ByteSource, maximumBytes: Int, chunkSize: Int = 1 << 16) throws(InputError) {
        compressed = source
        self.maximumBytes = maximumBytes
        input = .allocate(byteCount: max(chunkSize, 1), alignment: 1)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: the largest window, with a gzip header and trailer rather than zlib's.
        // On failure every stored property is set, so deinit runs and frees them: freeing here would free twice.
        guard CZlib_inflateInit2(stream, 15 + 16) == Z_OK, inflateValidate(stream, 0) == Z_OK else {
            throw InputError(file: source.path, "cannot start the gzip decompressor")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard buffer.count > 0 else { return 0 }
        if let pendingError { throw pendingError }
        while true {
            if stream.pointee.avail_in == 0 && !inputAtEnd { try refill() }
            if memberEnded {
                // Another member may follow (concatenated gzip, as `cat a.gz b.gz` makes).
                guard stream.pointee.avail_in > 0 else { return 0 }
                guard inflateReset(stream) == Z_OK else {
                    throw InputError(file: path, "cannot read the next gzip member")
                }
                (memberEnded, memberCRC, memberLength) = (false, 0, 0)
            }
            if stream.pointee.avail_in == 0 && inputAtEnd { throw truncated() }

            stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(buffer.count)
            let status = inflate(stream, Z_NO_FLUSH)
            let count = buffer.count - Int(stream.pointee.avail_out)
            memberCRC = libdeflate_crc32(memberCRC, buffer.baseAddress, count)
            memberLength &+= UInt32(truncatingIfNeeded: count)
            switch status {
            case Z_OK, Z_BUF_ERROR: break
            case Z_STREAM_END:
                memberEnded = true
                pendingError = trailerError()
            case Z_MEM_ERROR: pendingError = InputError(file: path, "out of memory while decompressing")
            default:
                pendingError = InputError(
                    file: path, "the gzip data is corrupt: \(zlibMessage ?? "zlib status \(status)")")
            }
            if let pendingError, count == 0 { throw pendingError }
            produced += count
            if produced > maximumBytes {
                throw InputError(
                    file: path,
                    "decompresses to more than \(maximumBytes) bytes (--max-input-bytes): refused as a possible gzip bomb"
                )
            }
            if count > 0 { return count }
        }
    }

    private var zlibMessage: String? { stream.pointee.msg.map { String(cString: $0) } }

    private func truncated() -> InputError {
        InputError(file: path, "the gzip stream is truncated: it ends inside a member")
    }

    /// The error the member just ended has, if its trailer's CRC-32 or length is not what was inflated.
    private func trailerError() -> InputError? {
        let consumed = input.baseAddress!.distance(to: UnsafeMutableRawPointer(stream.pointee.next_in!))
        let trailer = Array((consumedBefore + input[max(0, consumed - 8)..<consumed]).suffix(8))
        guard trailer.count == 8 else { return InputError(file: path, "the gzip data is corrupt: no trailer") }
        func word(at offset: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 | UInt32(trailer[offset + $1]) << (8 * UInt32($1)) }
        }
        if word(at: 0) != memberCRC { return InputError(file: path, "the gzip data is corrupt: incorrect data check") }
        if word(at: 4) != memberLength {
            return InputError(file: path, "the gzip data is corrupt: incorrect length check")
        }
        return nil
    }

    private func refill() throws(InputError) {
        // All of the buffer was consumed: its last bytes may begin a trailer that the next read ends.
        consumedBefore = Array((consumedBefore + input[max(0, inputCount - 8)..<inputCount]).suffix(8))
        let count = try compressed.read(into: input)
        inputCount = count
        if count == 0 { inputAtEnd = true }
        stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = UInt32(count)
    }
}
