internal import CZlib
import Dispatch
import Glibc

/// gzip's magic number: a stream is compressed when it starts with these bytes, whatever its name.
let gzipMagic: [UInt8] = [0x1F, 0x8B]

/// Reads a gzip stream (RFC 1952) from another source through zlib's inflate, one member after another.
/// Owns its `z_stream` and input buffer (allocated once: zlib keeps pointers into both) and frees them on release.
///
/// A stream that ends inside a member is truncated; a member whose CRC or length does not match is corrupt; the
/// decompressed total may not pass `maximumBytes`, so a gzip bomb stops early and in bounded memory.
public final class GzipSource: ByteSource {
    public var path: String { compressed.path }
    private let compressed: any ByteSource
    private let maximumBytes: Int
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var inputAtEnd = false
    private var memberEnded = false
    private var produced = 0
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
        guard CZlib_inflateInit2(stream, 15 + 16) == Z_OK else {
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
                memberEnded = false
            }
            if stream.pointee.avail_in == 0 && inputAtEnd { throw truncated() }

            stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(buffer.count)
            let status = inflate(stream, Z_NO_FLUSH)
            let count = buffer.count - Int(stream.pointee.avail_out)
            switch status {
            case Z_OK, Z_BUF_ERROR: break
            case Z_STREAM_END: memberEnded = true
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

    private func refill() throws(InputError) {
        let count = try compressed.read(into: input)
        if count == 0 { inputAtEnd = true }
        stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = UInt32(count)
    }
}

/// Writes one gzip member (level 6, as `gzip -6`) to another sink, compressing blocks of its input in parallel
/// on Dispatch's global queue, as pigz does: compressing is the largest single cost of writing an export.
///
/// The input is cut into blocks of `blockSize` bytes (512 KiB: priming a block with its dictionary costs about
/// what compressing 32 KiB does, so larger blocks waste less); each is deflated apart (raw deflate, primed with the 32 KiB
/// before it as its dictionary, ended by a sync flush on a byte boundary), so the blocks' outputs, in order, form
/// one deflate stream: the same bytes whatever the timing, and within a fraction of a percent of one stream's
/// size. The CRC is combined from the blocks'. At most `2 × cores` blocks are in flight.
public final class GzipSink: ByteSink {
    private let destination: any ByteSink
    private let path: String
    private let level: Int32
    private let blockSize: Int
    private var block: [UInt8] = []
    /// The last 32 KiB before `block`: its dictionary.
    private var dictionary: [UInt8] = []
    private var inFlight: [DeflateJob] = []
    /// Blocks whose compression is written, emptied for reuse: a fresh 512 KiB buffer each block would be mapped
    /// and unmapped by the system every time (see the command line's malloc threshold).
    private var spareBlocks: [[UInt8]] = []
    private let maximumInFlight = 2 * max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1)
    private var crc = crc32(0, nil, 0)
    private var length: UInt64 = 0
    private var isFinished = false

    /// deflate's window: the most a block can refer back.
    private static let windowSize = 1 << 15

    public init(destination: any ByteSink, path: String, level: Int32 = 6, chunkSize: Int = 1 << 19)
        throws(OutputError)
    {
        self.destination = destination
        self.path = path
        self.level = level
        blockSize = max(chunkSize, 1)
        guard DeflateJob.isValid(level: level) else {
            throw OutputError(path: path, "cannot start the gzip compressor (level \(level))")
        }
        block.reserveCapacity(blockSize)
        // The header zlib writes for a gzip stream with no name and no time: magic, deflate, no flags, Unix.
        try destination.write([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03])
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
        var bytes = bytes[...]
        while !bytes.isEmpty {
            let taken = bytes.prefix(blockSize - block.count)
            block.append(contentsOf: taken)
            bytes = bytes.dropFirst(taken.count)
            if block.count == blockSize { try submitBlock() }
        }
    }

    /// Ends the member (a final empty block, the CRC and the length) and finishes the sink beneath.
    public func finish() throws(OutputError) {
        guard !isFinished else { return }
        if !block.isEmpty { try submitBlock() }
        while !inFlight.isEmpty { try writeOldest() }
        // A final empty fixed-Huffman block (BFINAL set), then the trailer: CRC-32 and length, little-endian.
        var trailer: [UInt8] = [0x03, 0x00]
        for shift in stride(from: 0, to: 32, by: 8) { trailer.append(UInt8(truncatingIfNeeded: UInt32(crc) >> shift)) }
        for shift in stride(from: 0, to: 32, by: 8) { trailer.append(UInt8(truncatingIfNeeded: length >> shift)) }
        try destination.write(trailer)
        isFinished = true
        try destination.finish()
    }

    private func submitBlock() throws(OutputError) {
        let job = DeflateJob(input: block, dictionary: dictionary, level: level)
        length += UInt64(block.count)
        if block.count >= Self.windowSize {
            dictionary = Array(block.suffix(Self.windowSize))
        } else {
            dictionary = Array((dictionary + block).suffix(Self.windowSize))
        }
        if var spare = spareBlocks.popLast() {
            spare.removeAll(keepingCapacity: true)
            block = spare
        } else {
            block = []
            block.reserveCapacity(blockSize)
        }
        inFlight.append(job)
        DispatchQueue.global().async { job.run() }
        while inFlight.count > maximumInFlight { try writeOldest() }
    }

    private func writeOldest() throws(OutputError) {
        let job = inFlight.removeFirst()
        job.done.wait()
        guard let output = job.output else {
            throw OutputError(path: path, "compression failed (zlib status \(job.status))")
        }
        crc = crc32_combine(crc, job.crc, Int(job.input.count))
        try destination.write(output)
        spareBlocks.append(job.takeInput())
    }
}

/// One block deflated apart, on a Dispatch worker; the sink waits on `done` before reading the results.
private final class DeflateJob: @unchecked Sendable {
    private(set) var input: [UInt8]
    let dictionary: [UInt8]
    let level: Int32
    let done = DispatchSemaphore(value: 0)
    private(set) var output: [UInt8]?
    private(set) var crc: uLong = 0
    private(set) var status: Int32 = Z_OK

    init(input: [UInt8], dictionary: [UInt8], level: Int32) {
        self.input = input
        self.dictionary = dictionary
        self.level = level
    }

    /// The input block, given back once the job is done (after `done`), for the sink to reuse.
    func takeInput() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &input)
        return taken
    }

    /// Whether zlib takes the level.
    static func isValid(level: Int32) -> Bool {
        var stream = z_stream()
        guard CZlib_deflateInit2(&stream, level, -15, 8) == Z_OK else { return false }
        deflateEnd(&stream)
        return true
    }

    func run() {
        defer { done.signal() }
        crc = input.withUnsafeBufferPointer { crc32(crc32(0, nil, 0), $0.baseAddress, uInt($0.count)) }
        var stream = z_stream()
        // -15: raw deflate, the largest window; the gzip framing is the sink's.
        status = CZlib_deflateInit2(&stream, level, -15, 8)
        guard status == Z_OK else { return }
        defer { deflateEnd(&stream) }
        if !dictionary.isEmpty {
            status = dictionary.withUnsafeBufferPointer {
                deflateSetDictionary(&stream, $0.baseAddress, uInt($0.count))
            }
            guard status == Z_OK else { return }
        }
        // Exports deflate to a tenth or so: a quarter of the input is room enough, and keeps the buffer under the
        // size the command line has glibc give back to the system on every free (it grows when a block needs it).
        var result = [UInt8](repeating: 0, count: input.count / 4 + (1 << 12))
        var produced = 0
        status = input.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                if produced == result.count { result.append(contentsOf: repeatElement(0, count: result.count)) }
                let status = result.withUnsafeMutableBufferPointer { output in
                    stream.next_out = output.baseAddress! + produced
                    stream.avail_out = uInt(output.count - produced)
                    defer { produced = output.count - Int(stream.avail_out) }
                    return deflate(&stream, Z_SYNC_FLUSH)
                }
                guard status == Z_OK || status == Z_BUF_ERROR else { return status }
                // Done when all input is taken and the flush had room to finish.
                if stream.avail_in == 0 && produced < result.count { return Z_OK }
            }
        }
        guard status == Z_OK else { return }
        result.removeLast(result.count - produced)
        output = result
    }
}
