internal import CLibcExtras
import Glibc

/// A blocked Bloom filter over 64-bit hashes (`UserKeyHash`): 8 probes within one 512-bit block, so an insert costs
/// one cache miss rather than eight. Its bits are in memory it owns.
final class BloomFilter {
    private let words: UnsafeMutablePointer<UInt64>
    private let blockMask: UInt64
    private let mapping: UnsafeMutableRawPointer
    private let mappingSize: Int

    /// Huge pages' size on x86-64 and arm64 Linux.
    private static let hugePageSize = 2 << 20

    /// - Parameter bits: a power of two, at least 512.
    init(bits: Int) {
        precondition(bits >= 512 && bits & (bits - 1) == 0)
        // Anonymous pages come zeroed, and lazily. Every insert lands on a random block, so with 4 KiB pages each
        // one also missed the TLB; 2 MiB pages (asked for, where the system has them) cover the filter with a few.
        let size = bits / 8
        mappingSize = size + Self.hugePageSize
        guard
            let mapping = mmap(nil, mappingSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            mapping != MAP_FAILED
        else { fatalError("out of memory: cannot map a \(size >> 20) MiB filter") }
        self.mapping = mapping
        let aligned = (Int(bitPattern: mapping) + Self.hugePageSize - 1) & ~(Self.hugePageSize - 1)
        let start = UnsafeMutableRawPointer(bitPattern: aligned)!
        _ = madvise(start, size, MADV_HUGEPAGE)
        words = start.assumingMemoryBound(to: UInt64.self)
        blockMask = UInt64(bits / 512 - 1)
    }

    deinit { munmap(mapping, mappingSize) }

    /// Asks for the block of each hash, so that inserting them soon after finds the blocks in the cache. The hints
    /// do not wait for memory, so the misses overlap each other and the work that follows (loads, which did wait:
    /// 2.7 against 1.1 % of a CSV apply in `perf`).
    func prefetch(_ hashes: some Sequence<UInt64>) {
        for hash in hashes { secinfo_prefetch(words + Self.block(mixed: Self.mixed(hash), mask: blockMask)) }
    }

    /// The hash mixed once more: its high bits pick the block, its low bits and their mix the probes.
    private static func mixed(_ hash: UInt64) -> UInt64 { (hash ^ (hash >> 31)) &* 0x9E37_79B9_7F4A_7C15 }

    /// The first word of the block a mixed hash falls in.
    private static func block(mixed: UInt64, mask: UInt64) -> Int { Int((mixed >> 40) & mask) * 8 }

    /// Adds a key by its hash (`UserKeyHash`); returns whether it may have been added before (false: certainly not).
    func insert(hash: UInt64) -> Bool {
        let mixed = Self.mixed(hash)
        // Eight probes, nine bits each, from two mixes of the hash.
        let probes = (mixed ^ (mixed >> 29)) &* 0xBF58_476D_1CE4_E5B9
        let block = Self.block(mixed: mixed, mask: blockMask)
        var wasPresent = true
        for probe in 0..<8 as Range<UInt64> {
            let bit = probe < 4 ? (mixed >> (probe * 9)) & 511 : (probes >> ((probe - 4) * 9)) & 511
            let word = block + Int(bit >> 6)
            let flag: UInt64 = 1 << (bit & 63)
            if words[word] & flag == 0 {
                wasPresent = false
                words[word] |= flag
            }
        }
        return wasPresent
    }
}
