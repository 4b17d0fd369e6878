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

    /// The exact users: the line each one's run began on, and its hash, for the filter that takes over from them.
    private var exactLines: [String: (line: Int, hash: UInt64)] = [:]
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
        var user = user
        return user.withUTF8 { startRun(tenant: tenant, userKey: $0, line: line) }
    }

    /// The filter's hash of a user (`UserKeyHash`). Workers make it for the users they keep as bytes, so that the one
    /// thread checking runs in file order does not.
    static func hash(tenant: String, userKey: UnsafeBufferPointer<UInt8>) -> UInt64 {
        UserKeyHash.of(tenant: tenant, userKey: userKey)
    }

    /// Asks for the filter's blocks of the users about to be checked, all at once: their cache misses then overlap,
    /// where checking one user after another waits for each in turn.
    func prefetch(hashes: some Sequence<UInt64>) {
        guard confirming == nil, let filter else { return }
        filter.prefetch(hashes)
    }

    /// The same, with the key as UTF-8.
    func startRun(tenant: String, userKey: UnsafeBufferPointer<UInt8>, line: Int) -> Int? {
        startRun(tenant: tenant, hash: Self.hash(tenant: tenant, userKey: userKey), line: line) {
            String(decoding: userKey, as: UTF8.self)
        }
    }

    /// The same, with the key's hash (`hash(tenant:userKey:)`) already made: past the exact users, a user the
    /// filter has certainly not seen costs no text, and not even its key.
    func startRun(tenant: String, hash: UInt64, line: Int, userKey: () -> String) -> Int? {
        func key() -> String { Self.key(tenant: tenant, user: userKey()) }
        if let confirming {
            guard !confirming.isEmpty else { return nil }
            let key = key()
            guard confirming.contains(key) else { return nil }
            if let earlier = confirmingLines[key] { return earlier }
            confirmingLines[key] = line
            return nil
        }
        if let filter {
            if filter.insert(hash: hash) { unconfirmed.insert(key()) }
            return nil
        }
        let key = key()
        if let earlier = exactLines[key] { return earlier.line }
        exactLines[key] = (line, hash)
        if exactLines.count > exactCapacity {
            let filter = BloomFilter(bits: filterBits)
            for (_, exact) in exactLines { _ = filter.insert(hash: exact.hash) }
            exactLines = [:]
            self.filter = filter
        }
        return nil
    }

    /// How `unconfirmedRepeats` and a second reading name a user.
    static func key(tenant: String, user: String) -> String { tenant + "\u{0}" + user }
}

/// The one hash a reading makes of a user, of its tenant and its key (`User.key`) as UTF-8. The run check files
/// users under it, and the engine's change index finds a user's changes by it, so a user kept as bytes is hashed
/// once. It is not seeded: whatever finds a user by it confirms the hit against the key itself.
///
/// Eight bytes a step, each a multiply and a shift, each part's length folded in after it (so that ("ab", "c") and
/// ("a", "bc") hash apart), and murmur3's finaliser last, which spreads every input bit over the word the Bloom
/// filter's probes are cut from. FNV-1a, a multiply a byte in one dependent chain, was 2 % of a CSV run's CPU.
public enum UserKeyHash {
    public static func of(tenant: String, userKey: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0x243F_6A88_85A3_08D3
        if tenant.utf8.withContiguousStorageIfAvailable({ hash = mix(hash, $0) }) == nil {
            hash = Array(tenant.utf8).withUnsafeBufferPointer { mix(hash, $0) }
        }
        hash = mix(hash, userKey)
        hash = (hash ^ (hash >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        hash = (hash ^ (hash >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 33)
    }

    private static func mix(_ hash: UInt64, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        func step(_ hash: UInt64, _ word: UInt64) -> UInt64 {
            let mixed = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
            return mixed ^ (mixed >> 29)
        }
        var (hash, offset) = (hash, 0)
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while offset + 8 <= bytes.count {
                hash = step(hash, ByteWord.load(raw, at: offset))
                offset += 8
            }
        }
        var tail: UInt64 = 0
        for index in offset..<bytes.count { tail |= UInt64(bytes[index]) << (8 * UInt64(index - offset)) }
        return step(step(hash, tail), UInt64(bytes.count))
    }
}
