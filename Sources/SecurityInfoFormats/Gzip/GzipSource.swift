internal import CIsal
import Glibc

/// gzip's magic number: a stream is compressed when it starts with these bytes, whatever its name.
let gzipMagic: [UInt8] = [0x1F, 0x8B]

/// Reads a gzip stream (RFC 1952) from another source through ISA-L's inflate, one member after another.
/// Owns its inflate state and input buffer (allocated once: the state keeps a pointer into the buffer) and frees
/// them on release.
///
/// A stream that ends inside a member is truncated; a member whose CRC or length does not match is corrupt, and so
/// are bytes after a member that do not begin another; the decompressed total may not pass `maximumBytes`, so a
/// gzip bomb stops early and in bounded memory.
///
/// ISA-L rather than zlib: it inflates the million-user CSV export (193 MB) in a fifth of zlib's CPU, CRC included
/// (0.056 against 0.26 s; BENCHMARKS.md), and checks each member's header, CRC-32 and length itself. When a trailer
/// does not match, its eight bytes, the last the inflater consumed, tell which of the two checks failed.
public final class GzipSource: ByteSource {
    public var path: String { compressed.path }
    private let compressed: any ByteSource
    private let maximumBytes: Int
    private let state: UnsafeMutablePointer<inflate_state>
    /// The member header being read: ISA-L keeps a header's progress here between calls.
    private let header: UnsafeMutablePointer<isal_gzip_header>
    private let input: UnsafeMutableRawBufferPointer
    private var inputAtEnd = false
    private var memberEnded = false
    /// Whether the member being read follows another, and how many bytes of gzip's magic number it has shown.
    private var followsMember = false
    private var magicShown = 0
    private var produced = 0
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
        state = .allocate(capacity: 1)
        isal_inflate_init(state)
        // A gzip header and trailer around each member, both checked, and the largest window.
        state.pointee.crc_flag = UInt32(ISAL_GZIP)
        header = .allocate(capacity: 1)
        isal_gzip_header_init(header)
    }

    deinit {
        header.deallocate()
        state.deallocate()
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard buffer.count > 0 else { return 0 }
        if let pendingError { throw pendingError }
        let room = min(buffer.count, Int(UInt32.max))
        while true {
            if state.pointee.avail_in == 0 && !inputAtEnd { try refill() }
            if memberEnded {
                // Another member may follow (concatenated gzip, as `cat a.gz b.gz` makes).
                guard state.pointee.avail_in > 0 else { return 0 }
                isal_inflate_reset(state)
                isal_gzip_header_init(header)
                (memberEnded, followsMember, magicShown) = (false, true, 0)
            }
            if state.pointee.wrapper_flag == 0 {
                // The header is read here rather than by isal_inflate, whose header is a fresh one on every call:
                // a header with optional fields, cut between two reads of the stream, would lose its place.
                if followsMember { try checkMagic() }
                let status = isal_read_gzip_header(state, header)
                if status < 0 { throw corrupt(status) }
                if status != ISAL_DECOMP_OK {
                    if inputAtEnd { throw truncated() }
                    continue
                }
            }
            let availableBefore = state.pointee.avail_in
            state.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            state.pointee.avail_out = UInt32(room)
            let status = isal_inflate(state)
            let count = room - Int(state.pointee.avail_out)
            memberEnded = state.pointee.block_state == ISAL_BLOCK_FINISH
            switch status {
            case ISAL_DECOMP_OK: break
            case ISAL_INCORRECT_CHECKSUM where memberEnded: pendingError = trailerError()
            default: pendingError = corrupt(status)
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
            if !memberEnded {
                if state.pointee.avail_in == 0 && inputAtEnd { throw truncated() }
                // Never spin: with room to write, inflate either writes, takes input, or ends the member.
                if availableBefore > 0 && state.pointee.avail_in == availableBefore {
                    throw InputError(file: path, "the gzip data is corrupt: the decompressor made no progress")
                }
            }
        }
    }

    private func truncated() -> InputError {
        InputError(file: path, "the gzip stream is truncated: it ends inside a member")
    }

    /// zlib's words for the faults ISA-L reports by number, the words gzip users know.
    private func corrupt(_ status: Int32) -> InputError {
        let fault =
            switch status {
            case ISAL_INVALID_BLOCK: "invalid block type or lengths"
            case ISAL_INVALID_SYMBOL: "invalid code"
            case ISAL_INVALID_LOOKBACK: "invalid distance too far back"
            case ISAL_INVALID_WRAPPER: "incorrect header check"
            case ISAL_UNSUPPORTED_METHOD: "unknown compression method"
            case ISAL_INCORRECT_CHECKSUM: "header crc mismatch"
            default: "ISA-L status \(status)"
            }
        return InputError(file: path, "the gzip data is corrupt: \(fault)")
    }

    /// Bytes after a member must begin another with gzip's magic number, which may come a byte per read.
    private func checkMagic() throws(InputError) {
        let next = state.pointee.next_in!
        let shown = min(Int(state.pointee.avail_in), gzipMagic.count - magicShown)
        guard (0..<shown).allSatisfy({ next[$0] == gzipMagic[magicShown + $0] }) else {
            throw InputError(file: path, "the gzip data is corrupt: the bytes after a member do not begin another")
        }
        magicShown += shown
    }

    /// Which check the member just ended failed: its trailer's CRC-32, or else its length.
    private func trailerError() -> InputError {
        let consumed = input.baseAddress!.distance(to: UnsafeMutableRawPointer(state.pointee.next_in!))
        let trailer = Array((consumedBefore + input[max(0, consumed - 8)..<consumed]).suffix(8))
        guard trailer.count == 8 else { return InputError(file: path, "the gzip data is corrupt: no trailer") }
        let storedCRC = (0..<4).reduce(UInt32(0)) { $0 | UInt32(trailer[$1]) << (8 * UInt32($1)) }
        let check = storedCRC != state.pointee.crc ? "incorrect data check" : "incorrect length check"
        return InputError(file: path, "the gzip data is corrupt: \(check)")
    }

    private func refill() throws(InputError) {
        // All of the buffer was consumed: its last bytes may begin a trailer that the next read ends.
        consumedBefore = Array((consumedBefore + input[max(0, inputCount - 8)..<inputCount]).suffix(8))
        let count = try compressed.read(into: input)
        inputCount = count
        if count == 0 { inputAtEnd = true }
        state.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
        state.pointee.avail_in = UInt32(count)
    }
}
