import Glibc

/// Tells a user whose rows (or elements) are apart in an export, in memory that does not grow with the export.
///
/// The first `exactCapacity` users of a file are kept exactly, so a repeat among them is an error at once, naming
/// both lines. Past them the index is a Bloom filter of fixed size: a user it has certainly not seen costs nothing;
/// one it may have seen is kept as *unconfirmed*, and a second reading of the file, given those users, confirms
/// or clears each exactly. (The engine reads every export twice anyway; nothing is written before the second
/// reading ends.) At 4 million users about 600 users stay unconfirmed; at 1 million, about one.
final class UserRunIndex {
    /// Users kept exactly, with the line their run began on: about 200 bytes each.
    static let exactCapacity = 1 << 16
    /// 2^27 bits: 16 MiB, taken from zeroed pages as the bits are set.
    static let filterBits = 1 << 27

    private var exactLines: [String: Int] = [:]
    private var filter: BloomFilter?
    private let confirming: Set<String>
    private let exactCapacity: Int
    private let filterBits: Int
    private var confirmingLines: [String: Int] = [:]
    /// Users this reading could not rule out having met before.
    private(set) var unconfirmed: Set<String> = []

    /// - Parameter confirming: users an earlier reading left unconfirmed: their runs are tracked exactly.
    init(
        confirming: Set<String> = [], exactCapacity: Int = UserRunIndex.exactCapacity,
        filterBits: Int = UserRunIndex.filterBits
    ) {
        self.confirming = confirming
        self.exactCapacity = exactCapacity
        self.filterBits = filterBits
    }

    /// Records the start of a user's run; returns the line an earlier run of the same user began on, if certain.
    func startRun(key: String, line: Int) -> Int? {
        if confirming.contains(key) {
            if let earlier = confirmingLines[key] { return earlier }
            confirmingLines[key] = line
        }
        if let filter {
            if filter.insert(key) && !confirming.contains(key) { unconfirmed.insert(key) }
            return nil
        }
        if let earlier = exactLines[key] { return earlier }
        exactLines[key] = line
        if exactLines.count > exactCapacity {
            let filter = BloomFilter(bits: filterBits)
            for key in exactLines.keys { _ = filter.insert(key) }
            exactLines = [:]
            self.filter = filter
        }
        return nil
    }
}

/// A Bloom filter over strings (4 probes, double hashing over FNV-1a), its bits in memory it owns.
final class BloomFilter {
    private let words: UnsafeMutablePointer<UInt64>
    private let mask: UInt64

    /// - Parameter bits: a power of two, at least 64.
    init(bits: Int) {
        precondition(bits >= 64 && bits & (bits - 1) == 0)
        // calloc hands out zeroed pages lazily: a small file touches few of them.
        words = calloc(bits / 64, MemoryLayout<UInt64>.size)!.assumingMemoryBound(to: UInt64.self)
        mask = UInt64(bits - 1)
    }

    deinit { free(words) }

    /// Adds a key; returns whether it may have been added before (false: certainly not).
    func insert(_ key: String) -> Bool {
        var first: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 { first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        let second = ((first >> 29) ^ (first &* 0x9E37_79B9_7F4A_7C15)) | 1
        var wasPresent = true
        for probe in 0..<4 as Range<UInt64> {
            let bit = (first &+ probe &* second) & mask
            let word = Int(bit >> 6)
            let flag: UInt64 = 1 << (bit & 63)
            if words[word] & flag == 0 {
                wasPresent = false
                words[word] |= flag
            }
        }
        return wasPresent
    }
}
