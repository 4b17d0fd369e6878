internal import CDeflate
import Dispatch
import Glibc

/// Writes gzip to another sink, compressing blocks of its input in parallel on Dispatch's global queue: compressing
/// is the largest single cost of writing an export.
///
/// The input is cut into blocks of `blockSize` bytes (512 KiB), and each block becomes a gzip member of its own
/// (RFC 1952 allows a series of members; `zcat`, Python, DuckDB and this package's reader read them as one stream),
/// compressed by libdeflate. A member does not refer back into the block before it, which costs well under 1 % at
/// this block size. The bytes are the same whatever the timing. At most `2 × cores` blocks are in flight.
///
/// The level is libdeflate's 5: the lowest whose output is about as small as `gzip -6`'s, the size users know
/// (a million users' CSV export 15.5 MB against gzip's 16.8, the XML 15.7 against 15.4). Level 6 writes 10–15 %
/// less for about 1.7 times the CPU, which was half of a whole apply's (issue 16; BENCHMARKS.md has each level).
public final class GzipSink: ByteSink {
    private let destination: any ByteSink
    private let path: String
    private let level: Int32
    private let blockSize: Int
    private var block: [UInt8] = []
    private var inFlight: [DeflateJob] = []
    /// Blocks whose compression is written, emptied for reuse: a fresh 512 KiB buffer each block would be mapped
    /// and unmapped by the system every time (see the command line's malloc threshold).
    private var spareBlocks: [[UInt8]] = []
    /// Compressors given back by finished jobs: each holds a few hundred KiB of match-finder tables.
    private var spareCompressors: [OpaquePointer] = []
    private let maximumInFlight = 2 * max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1)
    /// Whether a block has gone to compression: an output with none still needs one (empty) member.
    private var hasSubmitted = false
    private var isFinished = false

    public init(destination: any ByteSink, path: String, level: Int32 = 5, chunkSize: Int = 1 << 19)
        throws(OutputError)
    {
        self.destination = destination
        self.path = path
        self.level = level
        blockSize = max(chunkSize, 1)
        // libdeflate takes levels 0 (stored) to 12; anything else gives no compressor.
        guard let compressor = libdeflate_alloc_compressor(level) else {
            throw OutputError(path: path, "cannot start the gzip compressor (level \(level))")
        }
        spareCompressors.append(compressor)
        block.reserveCapacity(blockSize)
    }

    deinit {
        // A sink dropped without finish() still waits for its jobs: they use the compressors freed here.
        for job in inFlight { job.done.wait() }
        for compressor in spareCompressors + inFlight.map(\.compressor) { libdeflate_free_compressor(compressor) }
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

    /// Writes the last members (an empty one when nothing was written, so the output is still gzip) and finishes
    /// the sink beneath.
    public func finish() throws(OutputError) {
        guard !isFinished else { return }
        if !block.isEmpty || !hasSubmitted { try submitBlock() }
        while !inFlight.isEmpty { try writeOldest() }
        isFinished = true
        try destination.finish()
    }

    private func submitBlock() throws(OutputError) {
        guard let compressor = spareCompressors.popLast() ?? libdeflate_alloc_compressor(level) else {
            throw OutputError(path: path, "out of memory starting the gzip compressor")
        }
        let job = DeflateJob(input: block, compressor: compressor)
        hasSubmitted = true
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
        spareCompressors.append(job.compressor)
        guard let output = job.output else {
            throw OutputError(path: path, "compression failed: libdeflate had no room for a block's output")
        }
        try destination.write(output)
        spareBlocks.append(job.takeInput())
    }
}

/// One block compressed into a gzip member, on a Dispatch worker; the sink waits on `done` before reading the
/// results, and owns the compressor (a job only borrows it).
private final class DeflateJob: @unchecked Sendable {
    private(set) var input: [UInt8]
    let compressor: OpaquePointer
    let done = DispatchSemaphore(value: 0)
    private(set) var output: [UInt8]?

    init(input: [UInt8], compressor: OpaquePointer) {
        self.input = input
        self.compressor = compressor
    }

    /// The input block, given back once the job is done (after `done`), for the sink to reuse.
    func takeInput() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &input)
        return taken
    }

    func run() {
        defer { done.signal() }
        // Exports deflate to a tenth or so: a quarter of the input is room enough, and keeps the buffer under the
        // size the command line has glibc give back to the system on every free. libdeflate says 0 when its output
        // does not fit; then the block is compressed again with room for the worst case.
        output =
            compress(room: input.count / 4 + (1 << 12))
            ?? compress(room: libdeflate_gzip_compress_bound(compressor, input.count))
    }

    private func compress(room: Int) -> [UInt8]? {
        var result = [UInt8](repeating: 0, count: room)
        let produced = input.withUnsafeBytes { input in
            result.withUnsafeMutableBytes { output in
                libdeflate_gzip_compress(compressor, input.baseAddress, input.count, output.baseAddress, output.count)
            }
        }
        guard produced > 0 else { return nil }
        result.removeLast(result.count - produced)
        return result
    }
}
