extension UnsafeBufferPointer<UInt8> {
    /// How many of the bytes are `byte`: eight at a time, in four words to a population count. The reading thread
    /// counts every line feed of an export to place its chunks; the byte loop it replaces (which the compiler did not
    /// vectorise) ran at 2.7 GB/s and took 2–3 % of an XML run, this at 13 GB/s.
    func occurrences(of byte: UInt8) -> Int {
        guard let base = baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        // The high bit of each byte that was `byte`, and no other bit: XOR makes those bytes zero, and a zero byte
        // is the only one whose low seven bits plus 0x7F, ORed with itself, leave the high bit clear (no carry
        // crosses a byte).
        func marks(at offset: Int) -> UInt64 {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ pattern
            return ~(((word & low7) &+ low7) | word) & ~low7
        }
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
}
