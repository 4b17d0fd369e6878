import Glibc

/// Tells a user whose rows (or elements) are apart in an export, in memory that does not grow with the export.
///
/// The first `exactCapacity` users of a file are kept exactly, so a repeat among them is an error at once, naming
/// both lines. Past them the index is a Bloom filter of fixed size: a user it has certainly not seen costs nothing;
/// one it may have seen is kept as *unconfirmed*, and a second reading of the file, given those users, confirms
/// or clears each exactly (the engine then writes the exports in a second pass; nothing is in place before it
/// ends). With 32 MiB and eight probes, none stayed unconfirmed in the benchmark's exports of 1 and 4 million
/// users (with 16 MiB and four probes: 4 at 1 million), which lets a run read its exports once.
final class UserRunIndex {
    /// Users kept exactly, with the line their run began on: about 200 bytes each.
    static let exactCapacity = 1 << 16
    /// 2^28 bits: 32 MiB, taken from zeroed pages as the bits are set.
    static let filterBits = 1 << 28

    private var exactLines: [String: Int] = [:]
    private var filter: BloomFilter?
    /// Set on a second reading: only these users need tracking, the first reading vouched for the rest.
    private let confirming: Set<String>?
    private let exactCapacity: Int
    private let filterBits: Int
    private var confirmingLines: [String: Int] = [:]
    /// Users this reading could not rule out having met before.
    private(set) var unconfirmed: Set<String> = []

    /// - Parameter confirming: `nil` on a first reading; on a second, the users the first left unconfirmed, whose
    ///   runs are then tracked exactly (and nothing else is).
    init(
        confirming: Set<String>? = nil, exactCapacity: Int = UserRunIndex.exactCapacity,
        filterBits: Int = UserRunIndex.filterBits
    ) {
        self.confirming = confirming
        self.exactCapacity = exactCapacity
        self.filterBits = filterBits
    }

    /// Whether there is nothing to track: a second reading that has no user to confirm.
    var isIdle: Bool { confirming?.isEmpty == true }

    /// Records the start of a user's run (the user's key, `User.key`); returns the line an earlier run of the same
    /// user began on, if certain.
    func startRun(tenant: String, user: String, line: Int) -> Int? {
        if let confirming {
            guard !confirming.isEmpty else { return nil }
            let key = Self.key(tenant: tenant, user: user)
            guard confirming.contains(key) else { return nil }
            if let earlier = confirmingLines[key] { return earlier }
            confirmingLines[key] = line
            return nil
        }
        if let filter {
            // Past the exact users, a key is made only for a user the filter may have seen.
            var hash = BloomFilter.hash(tenant.utf8)
            hash = BloomFilter.hash([0], continuing: hash)
            hash = BloomFilter.hash(user.utf8, continuing: hash)
            if filter.insert(hash: hash) { unconfirmed.insert(Self.key(tenant: tenant, user: user)) }
            return nil
        }
        let key = Self.key(tenant: tenant, user: user)
        if let earlier = exactLines[key] { return earlier }
        exactLines[key] = line
        if exactLines.count > exactCapacity {
            let filter = BloomFilter(bits: filterBits)
            for key in exactLines.keys { _ = filter.insert(hash: BloomFilter.hash(key.utf8)) }
            exactLines = [:]
            self.filter = filter
        }
        return nil
    }

    /// How `unconfirmedRepeats` and a second reading name a user.
    static func key(tenant: String, user: String) -> String { tenant + "\u{0}" + user }
}

/// A blocked Bloom filter over strings: FNV-1a, then 8 probes within one 512-bit block, so an insert costs one
/// cache miss rather than eight. Its bits are in memory it owns.
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

    /// FNV-1a over bytes; a key in parts hashes as the parts one after another.
    static func hash(_ bytes: some Sequence<UInt8>, continuing hash: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var hash = hash
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// Adds a key by its hash (`hash(_:)`); returns whether it may have been added before (false: certainly not).
    func insert(hash: UInt64) -> Bool {
        let mixed = (hash ^ (hash >> 31)) &* 0x9E37_79B9_7F4A_7C15
        // Eight probes, nine bits each, from two mixes of the hash; the block from the first mix's high bits.
        let probes = (mixed ^ (mixed >> 29)) &* 0xBF58_476D_1CE4_E5B9
        let block = Int((mixed >> 40) & blockMask) * 8
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
