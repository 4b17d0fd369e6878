import Glibc
import SecurityInfo
import Testing

@testable import SecurityInfoFormats

// MARK: - Helpers shared by the gzip, XML and format-registry tests

/// A source that hands out at most `size` bytes per read, as a pipe or a decompressor may: every chunk boundary a
/// reader could meet is met.
final class TrickleByteSource: ByteSource {
    let path: String
    private let source: MemoryByteSource
    private let size: Int

    init(path: String, bytes: [UInt8], size: Int = 1) {
        self.path = path
        source = MemoryByteSource(path: path, bytes: bytes)
        self.size = size
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        let count = min(buffer.count, size)
        return try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<count]))
    }
}

/// A source of bytes in memory, handed out `trickle` bytes per read when given.
func memorySource(_ bytes: [UInt8], path: String, trickle: Int? = nil) -> any ByteSource {
    trickle.map { TrickleByteSource(path: path, bytes: bytes, size: $0) } ?? MemoryByteSource(path: path, bytes: bytes)
}

/// Reads a source to its end, `readSize` bytes a call at most.
func readAllBytes(of source: any ByteSource, readSize: Int = 4096) throws(InputError) -> [UInt8] {
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: readSize)
    while true {
        let count = try buffer.withUnsafeMutableBytes { (bytes) -> Result<Int, InputError> in
            do throws(InputError) { return .success(try source.read(into: bytes)) } catch { return .failure(error) }
        }.get()
        if count == 0 { return result }
        result.append(contentsOf: buffer[..<count])
    }
}

/// Compresses bytes through `GzipSink`, handing them over `writeSize` bytes at a time.
func gzipped(_ bytes: [UInt8], chunkSize: Int? = nil, writeSize: Int = 1 << 20) throws(OutputError) -> [UInt8] {
    let memory = MemoryByteSink()
    let sink: GzipSink
    if let chunkSize {
        sink = try GzipSink(destination: memory, path: "test.gz", chunkSize: chunkSize)
    } else {
        sink = try GzipSink(destination: memory, path: "test.gz")
    }
    var start = 0
    while start < bytes.count {
        let end = min(start + writeSize, bytes.count)
        try sink.write(Array(bytes[start..<end]))
        start = end
    }
    try sink.finish()
    return memory.bytes
}

/// Decompresses bytes through `GzipSource`; `chunkSize` `nil` uses the source's default.
func gunzipped(
    _ bytes: [UInt8], maximumBytes: Int = .max, chunkSize: Int? = nil, readSize: Int = 4096, trickle: Int? = nil,
    path: String = "test.gz"
) throws(InputError) -> [UInt8] {
    let compressed = memorySource(bytes, path: path, trickle: trickle)
    let source: GzipSource
    if let chunkSize {
        source = try GzipSource(source: compressed, maximumBytes: maximumBytes, chunkSize: chunkSize)
    } else {
        source = try GzipSource(source: compressed, maximumBytes: maximumBytes)
    }
    return try readAllBytes(of: source, readSize: readSize)
}

/// Seeded bytes that are part runs (which deflate shrinks) and part noise (which it cannot), so both the
/// compressed and the stored paths of deflate are taken.
func seededBytes(count: Int, seed: UInt64) -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    while bytes.count < count {
        let length = min(Int.random(in: 1...300, using: &generator), count - bytes.count)
        if generator.chance(0.5) {
            bytes.append(contentsOf: repeatElement(UInt8.random(in: 0...255, using: &generator), count: length))
        } else {
            for _ in 0..<length { bytes.append(UInt8.random(in: 0...255, using: &generator)) }
        }
    }
    return bytes
}

/// CRC-32 as gzip computes it, bit by bit: the tests' own, to build headers the library under test then checks.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

/// Whether a gzip error says what SPEC.md's "Bad input" asks: a truncated or corrupt stream.
func saysTruncatedOrCorrupt(_ error: InputError) -> Bool {
    error.message.contains("truncated") || error.message.contains("corrupt")
}

/// A sink that counts the calls it gets, to see that a compressor finishes what lies beneath it.
private final class CountingByteSink: ByteSink {
    private(set) var bytes: [UInt8] = []
    private(set) var finishCount = 0
    func write(_ buffer: UnsafeRawBufferPointer) throws(OutputError) { bytes.append(contentsOf: buffer) }
    func finish() throws(OutputError) { finishCount += 1 }
}

private let chunkSizes: [Int?] = [1, 7, 4096, nil]

// MARK: - Tests

@Suite("gzip")
struct GzipTests {
    @Test("seeded data comes back unchanged through GzipSink and GzipSource", arguments: chunkSizes, chunkSizes)
    func roundTripsSeededData(sinkChunkSize: Int?, sourceChunkSize: Int?) throws {
        let data = seededBytes(count: 40_000, seed: 0x5EC1_4F0 &+ UInt64(sinkChunkSize ?? 0))
        let compressed = try gzipped(data, chunkSize: sinkChunkSize, writeSize: 997)
        #expect(compressed.starts(with: [0x1F, 0x8B, 0x08]))
        #expect(try gunzipped(compressed, chunkSize: sourceChunkSize) == data)
    }

    @Test("reads of any size give the same bytes", arguments: [1, 2, 3, 511, 1 << 16])
    func roundTripsAtAnyReadSize(readSize: Int) throws {
        let data = seededBytes(count: 20_000, seed: 77)
        let compressed = try gzipped(data)
        #expect(try gunzipped(compressed, readSize: readSize) == data)
        #expect(try gunzipped(compressed, readSize: readSize, trickle: 1) == data)
    }

    @Test("highly compressible data (one byte repeated) round-trips")
    func roundTripsRuns() throws {
        let data = [UInt8](repeating: 0x41, count: 300_000)
        let compressed = try gzipped(data)
        #expect(compressed.count < 10_000)
        #expect(try gunzipped(compressed, chunkSize: 7) == data)
    }

    @Test("an empty input round-trips to an empty output", arguments: chunkSizes)
    func roundTripsEmptyInput(chunkSize: Int?) throws {
        let compressed = try gzipped([], chunkSize: chunkSize)
        #expect(compressed.starts(with: gzipMagic))
        #expect(compressed.count >= 18)  // a 10-byte header, an empty block, an 8-byte trailer
        #expect(try gunzipped(compressed, chunkSize: chunkSize) == [])
    }

    @Test("two concatenated members read as both members' bytes, in order", arguments: chunkSizes)
    func readsConcatenatedMembers(chunkSize: Int?) throws {
        let first = seededBytes(count: 10_000, seed: 1)
        let second = seededBytes(count: 7_000, seed: 2)
        let both = try gzipped(first) + gzipped(second)
        #expect(try gunzipped(both, chunkSize: chunkSize) == first + second)
        #expect(try gunzipped(both, chunkSize: chunkSize, readSize: 1, trickle: 3) == first + second)
    }

    @Test("an empty member between two others adds nothing and ends nothing")
    func readsEmptyMemberBetweenOthers() throws {
        let first = Array("tenant,user\n".utf8)
        let last = Array("contoso,alice@contoso.com\n".utf8)
        let members = try gzipped(first) + gzipped([]) + gzipped(last)
        #expect(try gunzipped(members) == first + last)
        #expect(try gunzipped(members, chunkSize: 1, readSize: 1) == first + last)
    }

    @Test("a stream cut short is an error saying it is truncated")
    func rejectsTruncatedStream() throws {
        let data = seededBytes(count: 5_000, seed: 3)
        let compressed = try gzipped(data)
        let count = compressed.count
        // 0: nothing at all; 1–9: inside the 10-byte header; the middle; the last 8 bytes are CRC and length.
        for cut in [0, 1, 2, 5, 9, 10, count / 2, count - 8, count - 5, count - 1] {
            for chunkSize in [1, nil] {
                let error = try #require(throws: InputError.self, "cut at \(cut) of \(count)") {
                    try gunzipped(Array(compressed[..<cut]), chunkSize: chunkSize, path: "cut.csv.gz")
                }
                #expect(error.file == "cut.csv.gz")
                #expect(saysTruncatedOrCorrupt(error), "cut at \(cut): \(error.message)")
            }
        }
    }

    @Test("a stream cut inside its trailer says truncated, not something vaguer")
    func saysTruncatedInsideTrailer() throws {
        let compressed = try gzipped(seededBytes(count: 2_000, seed: 4))
        for cut in compressed.count - 8..<compressed.count {
            let error = try #require(throws: InputError.self) { try gunzipped(Array(compressed[..<cut])) }
            #expect(error.message.contains("truncated"), "cut at \(cut): \(error.message)")
        }
    }

    @Test("the second member cut short is truncated too, after the first member's bytes")
    func rejectsTruncatedSecondMember() throws {
        let first = try gzipped(Array("first member\n".utf8))
        let second = try gzipped(seededBytes(count: 3_000, seed: 5))
        let error = try #require(throws: InputError.self) {
            try gunzipped(first + second[..<(second.count / 2)])
        }
        #expect(error.message.contains("truncated"))
    }

    @Test("a flipped CRC byte is an error saying the data is corrupt", arguments: 0..<4)
    func rejectsWrongCRC(byte: Int) throws {
        var compressed = try gzipped(seededBytes(count: 3_000, seed: 6))
        compressed[compressed.count - 8 + byte] ^= 0xFF
        let error = try #require(throws: InputError.self) { try gunzipped(compressed, path: "crc.xml.gz") }
        #expect(error.file == "crc.xml.gz")
        #expect(error.message.contains("corrupt"))
    }

    @Test(
        "a member's trailer is checked wherever the reads of the stream cut it, in every member",
        arguments: [1, 3, 7, 8, 9, 4096])
    func checksTrailersAcrossReads(chunkSize: Int) throws {
        let members = [seededBytes(count: 3_000, seed: 11), [], seededBytes(count: 70_000, seed: 12)]
        let compressed = try members.map { try gzipped($0) }
        #expect(try gunzipped(compressed.joined().map { $0 }, chunkSize: chunkSize) == members.joined().map { $0 })
        // One trailer byte wrong, in each member and each of its eight bytes: the CRC's four, the length's four.
        for member in compressed.indices {
            for byte in 0..<8 {
                var broken = compressed
                broken[member][broken[member].count - 8 + byte] ^= 0x10
                let error = try #require(throws: InputError.self) {
                    try gunzipped(broken.joined().map { $0 }, chunkSize: chunkSize)
                }
                #expect(
                    error.message.contains(byte < 4 ? "incorrect data check" : "incorrect length check"),
                    "member \(member), byte \(byte): \(error.message)")
            }
        }
    }

    @Test("a wrong length in the trailer is an error saying the data is corrupt")
    func rejectsWrongLength() throws {
        var compressed = try gzipped(seededBytes(count: 3_000, seed: 7))
        compressed[compressed.count - 1] ^= 0x01
        let error = try #require(throws: InputError.self) { try gunzipped(compressed) }
        #expect(error.message.contains("corrupt"))
    }

    @Test("a header with an unknown compression method is corrupt")
    func rejectsUnknownMethod() throws {
        var compressed = try gzipped(Array("hello\n".utf8))
        compressed[2] = 7
        let error = try #require(throws: InputError.self) { try gunzipped(compressed) }
        #expect(saysTruncatedOrCorrupt(error), "\(error.message)")
    }

    @Test("a stream with bytes changed at random is read or refused, never more than it holds, and never hangs")
    func survivesRandomDamage() throws {
        let data = seededBytes(count: 30_000, seed: 15)
        let compressed = try gzipped(data) + gzipped(Array(data.prefix(500)))
        var random = SeededGenerator(seed: 16)
        var refused = 0
        for _ in 0..<1_500 {
            var damaged = compressed
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                damaged[Int.random(in: 0..<damaged.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            do {
                let read = try gunzipped(damaged, maximumBytes: 1 << 20, chunkSize: 977, readSize: 1_531)
                // A change the checks cannot see (in the header's time or OS byte) leaves the data as it was.
                #expect(read == data + data.prefix(500))
            } catch {
                refused += 1
                #expect(saysTruncatedOrCorrupt(error), "\(error.message)")
            }
        }
        #expect(refused > 1_000, "most damage is caught")
    }

    @Test("a header's optional fields (extra, name as `gzip` writes it, comment, header CRC) are read past")
    func readsOptionalHeaderFields() throws {
        let data = seededBytes(count: 5_000, seed: 13)
        let plain = try gzipped(data)
        var header = Array(plain[..<10])
        header[3] = 0x04 | 0x08 | 0x10 | 0x02  // FEXTRA, FNAME, FCOMMENT, FHCRC
        header += [3, 0, 0xAA, 0xBB, 0xCC] + Array("export.csv\0".utf8) + Array("nightly\0".utf8)
        let headerCRC = crc32(header)
        let member = header + [UInt8(truncatingIfNeeded: headerCRC), UInt8(truncatingIfNeeded: headerCRC >> 8)]
        let withFields = member + plain[10...]
        for chunkSize in [1, 5, nil] {
            #expect(try gunzipped(withFields + withFields, chunkSize: chunkSize) == data + data)
        }
        // The header CRC covers the fields: one changed byte of the name is caught before any data is inflated.
        var renamed = withFields
        renamed[16] ^= 0x20
        let error = try #require(throws: InputError.self) { try gunzipped(renamed, path: "named.csv.gz") }
        #expect(error.file == "named.csv.gz")
        #expect(error.message.contains("corrupt") && error.message.contains("header crc"), "\(error.message)")
    }

    @Test("bytes after a member that do not start with gzip's magic number are named as such")
    func namesBytesAfterMember() throws {
        let compressed = try gzipped(seededBytes(count: 2_000, seed: 14))
        for garbage: [UInt8] in [[0x00, 0x8B], [0x1F, 0x00], Array("this is not gzip".utf8)] {
            for chunkSize in [1, nil] {
                let error = try #require(throws: InputError.self) {
                    try gunzipped(compressed + garbage, chunkSize: chunkSize)
                }
                #expect(error.message.contains("do not begin another"), "\(garbage): \(error.message)")
            }
        }
    }

    @Test(
        "bytes after the last member that are not another member are an error",
        arguments: [Array("garbage\n".utf8), [0x00], [0x00, 0x00, 0x00, 0x00], [0x1F], Array("\n".utf8)])
    func rejectsTrailingGarbage(garbage: [UInt8]) throws {
        let data = seededBytes(count: 2_000, seed: 8)
        let compressed = try gzipped(data) + garbage
        for chunkSize in [1, nil] {
            let error = try #require(throws: InputError.self) { try gunzipped(compressed, chunkSize: chunkSize) }
            #expect(saysTruncatedOrCorrupt(error), "\(error.message)")
        }
    }

    @Test("decompressing exactly maximumBytes is fine; one byte more is refused naming --max-input-bytes")
    func enforcesMaximumBytes() throws {
        let data = seededBytes(count: 10_000, seed: 9)
        let compressed = try gzipped(data)
        #expect(try gunzipped(compressed, maximumBytes: data.count) == data)
        #expect(try gunzipped(compressed, maximumBytes: data.count, chunkSize: 1, readSize: 1) == data)
        for readSize in [1, 4096] {
            let error = try #require(throws: InputError.self) {
                try gunzipped(compressed, maximumBytes: data.count - 1, readSize: readSize, path: "big.csv.gz")
            }
            #expect(error.file == "big.csv.gz")
            #expect(error.message.contains("--max-input-bytes"))
        }
    }

    @Test("the limit counts every member together")
    func countsLimitAcrossMembers() throws {
        let member = try gzipped(seededBytes(count: 6_000, seed: 10))
        #expect(try gunzipped(member + member, maximumBytes: 12_000).count == 12_000)
        let error = try #require(throws: InputError.self) {
            try gunzipped(member + member, maximumBytes: 11_999)
        }
        #expect(error.message.contains("--max-input-bytes"))
    }

    @Test("a gzip bomb stops at the limit, having handed out no more than the limit")
    func stopsGzipBombEarly() throws {
        let bomb = try gzipped([UInt8](repeating: 0, count: 20 << 20))
        #expect(bomb.count < 100_000)
        let limit = 1 << 20
        let source = try GzipSource(source: MemoryByteSource(path: "bomb.gz", bytes: bomb), maximumBytes: limit)
        var delivered = 0
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let error = try #require(throws: InputError.self) {
            while true {
                let count = try buffer.withUnsafeMutableBytes { (bytes) -> Result<Int, InputError> in
                    do throws(InputError) { return .success(try source.read(into: bytes)) } catch {
                        return .failure(error)
                    }
                }.get()
                if count == 0 { break }
                delivered += count
            }
        }
        #expect(error.message.contains("--max-input-bytes"))
        #expect(delivered <= limit)
    }

    @Test("a read into an empty buffer returns 0 without ending the stream")
    func readsIntoEmptyBuffer() throws {
        let data = Array("some text\n".utf8)
        let source = try GzipSource(source: MemoryByteSource(path: "t.gz", bytes: try gzipped(data)), maximumBytes: 100)
        var empty: [UInt8] = []
        let count = try empty.withUnsafeMutableBytes { (bytes) -> Result<Int, InputError> in
            do throws(InputError) { return .success(try source.read(into: bytes)) } catch { return .failure(error) }
        }.get()
        #expect(count == 0)
        #expect(try readAllBytes(of: source) == data)
    }

    @Test("the source is named by the compressed stream's path")
    func namesSourceByPath() throws {
        let source = try GzipSource(
            source: MemoryByteSource(path: "in/contoso.csv.gz", bytes: try gzipped([])), maximumBytes: 10)
        #expect(source.path == "in/contoso.csv.gz")
    }

    @Test("finish() ends the member once and finishes the sink beneath once")
    func finishesOnce() throws {
        let destination = CountingByteSink()
        let sink = try GzipSink(destination: destination, path: "out.gz")
        try sink.write(Array("hello\n".utf8))
        try sink.finish()
        let afterFirst = destination.bytes
        try sink.finish()
        #expect(destination.bytes == afterFirst)
        #expect(destination.finishCount == 1)
        #expect(try gunzipped(afterFirst) == Array("hello\n".utf8))
    }

    @Test("blocks compressed in parallel make a member each, the same bytes however the input is handed over")
    func parallelBlocksMakeAMemberEach() throws {
        let line = Array("contoso,user@contoso.example,false,push,mobilePhone,,+1 4255550100\n".utf8)
        var data: [UInt8] = []
        for index in 0..<40_000 { data += line + Array("\(index)\n".utf8) }
        let blockSize = 1 << 16
        let whole = try gzipped(data, chunkSize: blockSize)
        #expect(try gzipped(data, chunkSize: blockSize, writeSize: 777) == whole, "the same bytes")
        #expect(try gunzipped(whole) == data)
        // libdeflate's header: no name, no time, no extra flags, an unknown system.
        let header: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF]
        let headers = (0...(whole.count - header.count)).filter { whole[$0..<$0 + header.count].elementsEqual(header) }
        #expect(headers.count == (data.count + blockSize - 1) / blockSize, "one gzip member per block")
        #expect(headers.first == 0)
        // Compressed, not stored.
        #expect(whole.count < data.count / 10)
    }

    @Test("an empty output is still one gzip member, and so is a block that does not compress")
    func emptyAndIncompressibleOutputs() throws {
        let empty = try gzipped([])
        #expect(Array(empty.prefix(2)) == gzipMagic)
        #expect(try gunzipped(empty) == [])
        // Noise needs more room than the quarter of its size a block is first given.
        var generator = SeededGenerator(seed: 99)
        let noise = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let compressed = try gzipped(noise)
        #expect(compressed.count > noise.count)
        #expect(try gunzipped(compressed) == noise)
    }

    @Test("every compression level round-trips", arguments: [0, 1, 6, 9, 12] as [Int32])
    func roundTripsAtEveryLevel(level: Int32) throws {
        let data = seededBytes(count: 30_000, seed: 11)
        let memory = MemoryByteSink()
        let sink = try GzipSink(destination: memory, path: "level.gz", level: level)
        try sink.write(data)
        try sink.finish()
        #expect(try gunzipped(memory.bytes) == data)
    }

    // Run in a child process: a crash here (the failed init's cleanup run twice) must not stop the other tests.
    @Test("an impossible compression level is an OutputError naming the path, not a crash")
    func rejectsBadLevel() async {
        await #expect(processExitsWith: .success) {
            do throws(OutputError) {
                _ = try GzipSink(destination: MemoryByteSink(), path: "bad.gz", level: 42)
                exit(2)
            } catch {
                exit(error.path == "bad.gz" ? 0 : 3)
            }
        }
    }
}

@Suite("Limited byte source")
struct LimitedByteSourceTests {
    @Test("passes every byte when the input is exactly the limit", arguments: [1, 3, 4096])
    func passesUpToLimit(readSize: Int) throws {
        let data = seededBytes(count: 1_000, seed: 12)
        let source = LimitedByteSource(source: MemoryByteSource(path: "in.csv", bytes: data), maximumBytes: 1_000)
        #expect(source.path == "in.csv")
        #expect(try readAllBytes(of: source, readSize: readSize) == data)
    }

    @Test("errors once the input passes the limit, naming --max-input-bytes and the file", arguments: [1, 3, 4096])
    func refusesPastLimit(readSize: Int) throws {
        let data = seededBytes(count: 1_001, seed: 13)
        let source = LimitedByteSource(source: MemoryByteSource(path: "in.csv", bytes: data), maximumBytes: 1_000)
        let error = try #require(throws: InputError.self) { try readAllBytes(of: source, readSize: readSize) }
        #expect(error.file == "in.csv")
        #expect(error.message.contains("--max-input-bytes"))
    }

    @Test("a limit of zero allows an empty input only")
    func allowsEmptyUnderZeroLimit() throws {
        let empty = LimitedByteSource(source: MemoryByteSource(path: "e", bytes: []), maximumBytes: 0)
        #expect(try readAllBytes(of: empty) == [])
        let one = LimitedByteSource(source: MemoryByteSource(path: "o", bytes: [0x41]), maximumBytes: 0)
        #expect(throws: InputError.self) { try readAllBytes(of: one) }
    }

    @Test("a CSV reader over a limited source places the limit error at the line it had reached")
    func placesLimitErrorInCSV() throws {
        let text = "tenant,user\n" + String(repeating: "contoso,alice@contoso.com\n", count: 100)
        let source = LimitedByteSource(
            source: TrickleByteSource(path: "big.csv", bytes: Array(text.utf8), size: 10), maximumBytes: 200)
        var reader = CSVReader(source: source, chunkSize: 16)
        let error = try #require(throws: InputError.self) { while try reader.next() != nil {} }
        #expect(error.message.contains("--max-input-bytes"))
        // A 12-byte header and 26-byte rows: the 200 bytes allowed end 7 bytes into line 9.
        #expect(error.line == 9)
        #expect(error.column == 7)
    }
}
