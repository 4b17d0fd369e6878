/// Tells a user whose rows (or elements) are apart in an export, in memory that does not grow with the export.
///
/// The first `exactCapacity` users of a file are kept exactly, so a repeat among them is an error at once, naming
/// both lines. Past them the index is a Bloom filter of fixed size: a user it has certainly not seen costs nothing;
/// one it may have seen is kept as *unconfirmed*, and a second reading of the file, given those users, confirms
/// or clears each exactly (the engine then writes the exports in a second pass; nothing is in place before it
/// ends). With 32 MiB and eight probes, none stayed unconfirmed in the benchmark's exports of 1 and 4 million
/// users (with 16 MiB and four probes: 4 at 1 million), which lets a run read its exports once.
final class UserRunIndex {
    /// Users kept exactly (`ExactUsers`): about 100 bytes each.
    static let exactCapacity = 1 << 16
    /// 2^28 bits: 32 MiB, taken from zeroed pages as the bits are set.
    static let filterBits = 1 << 28

    private var exact = ExactUsers()
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
        var key = key()
        if let earlier = key.withUTF8({ exact.startRun(hash: hash, key: $0, line: line) }) { return earlier }
        if exact.count > exactCapacity {
            let filter = BloomFilter(bits: filterBits)
            for hash in exact.hashes { _ = filter.insert(hash: hash) }
            exact = ExactUsers()
            self.filter = filter
        }
        return nil
    }

    /// How `unconfirmedRepeats` and a second reading name a user.
    static func key(tenant: String, user: String) -> String { tenant + "\u{0}" + user }
}

/// The users a run index keeps exactly, found by their hash (`UserKeyHash`), their keys side by side in one buffer.
/// A text per user (a dictionary by key) left their small allocations in the heap after the filter took over: the
/// 1M-user CSV apply peaked 1.6 MB higher (85.0 against 83.4 MB, medians of 5).
private struct ExactUsers {
    private struct Run {
        var line: Int
        var keyStart: Int
        var keyCount: Int
    }

    /// The line each user's run began on, and where its key is in `keys`.
    private var runs: [UInt64: Run] = [:]
    private var keys: [UInt8] = []
    /// Users whose hash another user's had first, by key: none in practice, but a hash does not tell users apart.
    private var sharingAHash: [String: Int] = [:]

    var count: Int { runs.count + sharingAHash.count }
    var hashes: some Sequence<UInt64> { runs.keys }

    /// Records the start of a user's run; returns the line an earlier run of the same user began on.
    mutating func startRun(hash: UInt64, key: UnsafeBufferPointer<UInt8>, line: Int) -> Int? {
        guard let run = runs[hash] else {
            runs[hash] = Run(line: line, keyStart: keys.count, keyCount: key.count)
            keys.append(contentsOf: key)
            return nil
        }
        if keys[run.keyStart..<run.keyStart + run.keyCount].elementsEqual(key) { return run.line }
        let text = String(decoding: key, as: UTF8.self)
        if let earlier = sharingAHash[text] { return earlier }
        sharingAHash[text] = line
        return nil
    }
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
