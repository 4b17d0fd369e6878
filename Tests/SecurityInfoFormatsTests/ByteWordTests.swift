import SecurityInfo
import Testing

@testable import SecurityInfoFormats

@Suite("Bytes eight at a time")
struct ByteWordTests {
    @Test("a byte is counted as a byte loop counts it, at every length and alignment, whatever its neighbours")
    func sameAsByteLoop() {
        var random = SeededGenerator(seed: 16)
        // The byte sought, its neighbours in value, and bytes that differ from it only in the high bit or by a carry.
        for sought: UInt8 in [0x0A, 0x0D, 0x00, 0x7F, 0x80, 0xFF] {
            let alphabet: [UInt8] = [sought, sought &+ 1, sought &- 1, sought ^ 0x80, sought ^ 0x01, 0x00, 0xFF, 0x41]
            for length in Array(0..<80) + [255, 256, 257, 4099] {
                let bytes = (0..<length + 7).map { _ in alphabet.randomElement(using: &random)! }
                for start in [0, 1, 3, 7] {
                    let slice = bytes[start..<start + length]
                    let counted = bytes.withUnsafeBufferPointer {
                        UnsafeBufferPointer(rebasing: $0[start..<start + length]).occurrences(of: sought)
                    }
                    #expect(counted == slice.count { $0 == sought }, "byte \(sought), length \(length), start \(start)")
                }
            }
        }
        #expect(UnsafeBufferPointer<UInt8>(start: nil, count: 0).occurrences(of: 0x0A) == 0)
    }

    @Test("a byte is found from any start as the standard library finds it, or not at all")
    func findsByte() {
        let bytes = Array("ab\ncd\n\nefgh".utf8)
        bytes.withUnsafeBufferPointer { buffer in
            for start in 0...bytes.count + 1 {
                for byte in [UInt8(ascii: "\n"), UInt8(ascii: "h"), UInt8(ascii: "z")] {
                    let expected = start < bytes.count ? bytes[start...].firstIndex(of: byte) : nil
                    #expect(buffer.firstIndex(of: byte, from: start) == expected, "\(byte) from \(start)")
                }
            }
        }
        #expect(UnsafeBufferPointer<UInt8>(start: nil, count: 0).firstIndex(of: 0x0A, from: 0) == nil)
    }

    @Test("a buffer is ASCII exactly when every byte is below 0x80, wherever the one that is not sits")
    func asciiAsByteLoop() {
        var random = SeededGenerator(seed: 17)
        for length in Array(0..<40) + [255, 4099] {
            let ascii = (0..<length + 3).map { _ in UInt8.random(in: 0...0x7F, using: &random) }
            for start in [0, 1, 3] {
                func told(_ bytes: [UInt8]) -> Bool {
                    bytes.withUnsafeBufferPointer { UnsafeBufferPointer(rebasing: $0[start..<start + length]).isASCII }
                }
                #expect(told(ascii), "length \(length), start \(start)")
                for position in Set([0, length / 2, length - 1, length, length + 2])
                where ascii.indices.contains(position) {
                    for high: UInt8 in [0x80, 0xC3, 0xFF] {
                        var bytes = ascii
                        bytes[position] = high
                        let inside = (start..<start + length).contains(position)
                        #expect(told(bytes) == !inside, "length \(length), start \(start), \(high) at \(position)")
                    }
                }
            }
        }
        #expect(UnsafeBufferPointer<UInt8>(start: nil, count: 0).isASCII)
    }

    @Test("a spelling is told as == tells it, at every length, with one byte changed anywhere or a length apart")
    func spelling() {
        var random = SeededGenerator(seed: 7)
        for length in 0...40 {
            let spelling = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            var candidates = [spelling, spelling + [0x41], Array(spelling.dropLast())]
            for index in spelling.indices {
                var changed = spelling
                changed[index] ^= 1 << UInt8.random(in: 0...7, using: &random)
                candidates.append(changed)
            }
            for candidate in candidates {
                let told = candidate.withUnsafeBufferPointer { spelling.isSpelled(by: $0) }
                #expect(told == (candidate == spelling), "length \(length), \(candidate)")
            }
        }
    }

    @Test("a word's marks are exactly the bytes equal to a value, or below a bound, whatever the other lanes hold")
    func wordMarks() {
        var random = SeededGenerator(seed: 8)
        for value in 0...255 {
            let byte = UInt8(value)
            for lane in 0..<8 {
                var lanes = (0..<8).map { _ in UInt8.random(in: 0...255, using: &random) }
                lanes[lane] = byte
                let word = lanes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
                for (index, laneByte) in lanes.enumerated() {
                    let bit = UInt64(0x80) << (8 * UInt64(index))
                    for pattern: UInt8 in [0x0A, 0x2C, 0x22, 0x7F, 0x00, 0xFF, byte] {
                        #expect(
                            (ByteWord.equal(word, ByteWord.repeated(pattern)) & bit != 0) == (laneByte == pattern),
                            "\(lanes), lane \(index), equal to \(pattern)")
                    }
                    for bound: UInt8 in [0x01, 0x20, 0x41, 0x80] {
                        #expect(
                            (ByteWord.below(word, bound) & bit != 0) == (laneByte < bound),
                            "\(lanes), lane \(index), below \(bound)")
                    }
                }
            }
        }
    }
}
