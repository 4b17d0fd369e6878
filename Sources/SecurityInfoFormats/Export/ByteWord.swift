internal import Glibc

/// Eight bytes at a time: marks, in the high bit of each byte of a word, the bytes that are some value. Exact for
/// every byte (no carry crosses a byte), so a mark's position and a count of marks can both be trusted.
enum ByteWord {
    static let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// `byte` in each of the eight bytes.
    static func repeated(_ byte: UInt8) -> UInt64 { UInt64(byte) &* 0x0101_0101_0101_0101 }

    /// The bytes of `word` that are zero: a zero byte is the only one whose low seven bits plus 0x7F, ORed with
    /// itself, leave the high bit clear.
    static func zeroes(_ word: UInt64) -> UInt64 { ~(((word & low7) &+ low7) | word) & ~low7 }

    /// The bytes of `word` that equal the byte `pattern` repeats.
    static func equal(_ word: UInt64, _ pattern: UInt64) -> UInt64 { zeroes(word ^ pattern) }

    /// The bytes of `word` below `bound` (at most 0x80): a byte is below it when adding 0x80 - `bound` to its low
    /// seven bits leaves the high bit clear and its own high bit is clear.
    static func below(_ word: UInt64, _ bound: UInt8) -> UInt64 {
        ~(((word & low7) &+ repeated(0x80 - bound)) | word) & ~low7
    }

    /// The index, 0 to 7, of the first marked byte of a word read little-endian; `marks` is not 0.
    static func first(_ marks: UInt64) -> Int { marks.trailingZeroBitCount / 8 }

    static func load(_ raw: UnsafeRawPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// How many of the bytes are `byte`: eight at a time, in four words to a population count. The reading thread
    /// counts every line feed of an export to place its chunks; the byte loop it replaces (which the compiler did not
    /// vectorise) ran at 2.7 GB/s and took 2–3 % of an XML run, this at 13 GB/s.
    func occurrences(of byte: UInt8) -> Int {
        guard let base = baseAddress else { return 0 }
        let (raw, pattern) = (UnsafeRawPointer(base), ByteWord.repeated(byte))
        func marks(at offset: Int) -> UInt64 { ByteWord.equal(ByteWord.load(raw, at: offset), pattern) }
        var (total, offset) = (0, 0)
        while offset + 32 <= count {
            // Four words' marks, shifted to four different bits of each byte, counted at once.
            let marked =
                marks(at: offset) >> 7 | marks(at: offset + 8) >> 6 | marks(at: offset + 16) >> 5
                | marks(at: offset + 24) >> 4
            total &+= marked.nonzeroBitCount
            offset += 32
        }
        while offset + 8 <= count {
            total &+= marks(at: offset).nonzeroBitCount
            offset += 8
        }
        for index in offset..<count where base[index] == byte { total += 1 }
        return total
    }

    /// The first `byte` at or after `start`, by memchr: for a byte that is far apart (the text between XML markup, the
    /// end of a Graph line), glibc's vector search beats a word at a time.
    func firstIndex(of byte: UInt8, from start: Int) -> Int? {
        guard start < count, let base = baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), count - start) else { return nil }
        return UnsafeRawPointer(found) - UnsafeRawPointer(base)
    }

    /// Whether every byte is below 0x80, eight at a time: JSON lines are checked for UTF-8, and nearly all are ASCII.
    var isASCII: Bool {
        guard let base = baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var (high, offset): (UInt64, Int) = (0, 0)
        while offset + 8 <= count {
            high |= ByteWord.load(raw, at: offset)
            offset += 8
        }
        for index in offset..<count { high |= UInt64(base[index]) }
        return high & ~ByteWord.low7 == 0
    }

    /// The first index at or after `start` that holds `a`, `b` or `c`, eight bytes at a time: how the cut scan finds
    /// where a start tag's quoted value or the tag itself ends (a byte loop with three compares a byte was 4 % of an
    /// XML run's CPU, on the one reading thread).
    func firstIndex(of a: UInt8, _ b: UInt8, _ c: UInt8, from start: Int) -> Int? {
        let (patternA, patternB, patternC) = (ByteWord.repeated(a), ByteWord.repeated(b), ByteWord.repeated(c))
        return firstIndex(
            from: start,
            marking: { ByteWord.equal($0, patternA) | ByteWord.equal($0, patternB) | ByteWord.equal($0, patternC) },
            where: { $0 == a || $0 == b || $0 == c })
    }

    /// The first index at or after `start` whose byte is a stop, eight bytes at a time: `marks` marks a word's stops
    /// (with `ByteWord`), and `isStop` tells the same of the last few bytes, one at a time.
    @inline(__always)
    func firstIndex(from start: Int, marking marks: (UInt64) -> UInt64, where isStop: (UInt8) -> Bool) -> Int? {
        guard let base = baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        var offset = start
        while offset + 8 <= count {
            let marked = marks(ByteWord.load(raw, at: offset))
            if marked != 0 { return offset + ByteWord.first(marked) }
            offset += 8
        }
        while offset < count {
            if isStop(base[offset]) { return offset }
            offset += 1
        }
        return nil
    }
}
