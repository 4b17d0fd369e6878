import Testing

@testable import SecurityInfoFormats

/// The index that tells a user whose rows are apart, exactly for a file's first users and through a Bloom filter
/// and a confirming second reading past them.
@Suite("User run index")
struct UserRunIndexTests {
    /// Reads a sequence of user runs as the readers do; returns the first repeat found and the unconfirmed users.
    func read(_ keys: [String], confirming: Set<String>? = nil, capacity: Int, bits: Int) -> (
        repeat: (line: Int, earlier: Int)?, unconfirmed: Set<String>
    ) {
        let index = UserRunIndex(confirming: confirming, exactCapacity: capacity, filterBits: bits)
        for (offset, key) in keys.enumerated() {
            if let earlier = index.startRun(tenant: "t", user: key, line: offset + 1) {
                return ((offset + 1, earlier), index.unconfirmed)
            }
        }
        return (nil, index.unconfirmed)
    }

    @Test("within the exact capacity a repeat is found at once, with both lines")
    func exactRepeat() {
        let result = read(["a", "b", "c", "b"], capacity: 10, bits: 1 << 16)
        #expect(result.repeat?.line == 4 && result.repeat?.earlier == 2)
    }

    @Test("within the exact capacity, users whose hashes agree are told apart by their keys")
    func exactUsersSharingAHash() {
        let index = UserRunIndex(exactCapacity: 10, filterBits: 1 << 16)
        func start(_ user: String, line: Int) -> Int? {
            index.startRun(tenant: "t", hash: 42, line: line) { user }
        }
        #expect(start("ann", line: 1) == nil)
        #expect(start("bob", line: 2) == nil)
        #expect(start("cy", line: 3) == nil)
        #expect(start("bob", line: 4) == 2)
        #expect(start("ann", line: 5) == 1)
        #expect(start("cy", line: 6) == 3)
    }

    @Test("past the capacity a repeat is left unconfirmed, then confirmed by a second reading with both lines")
    func repeatPastCapacity() {
        let keys = (1...50).map { "user\($0)" } + ["user7"]
        let first = read(keys, capacity: 8, bits: 1 << 16)
        #expect(first.repeat == nil)
        // user7 went into the filter as a whole key when the exact users ran out, and came back hashed in parts.
        #expect(first.unconfirmed == [UserRunIndex.key(tenant: "t", user: "user7")])
        let second = read(keys, confirming: first.unconfirmed, capacity: 8, bits: 1 << 16)
        #expect(second.repeat?.line == 51 && second.repeat?.earlier == 7)
    }

    @Test("users the filter cannot rule out are cleared by the second reading when they do not repeat")
    func falsePositivesClear() {
        // 512 bits for 3,000 users: most users are false positives.
        let keys = (1...3_000).map { "user\($0)" }
        let first = read(keys, capacity: 4, bits: 512)
        #expect(first.repeat == nil)
        #expect(first.unconfirmed.count > 1_000)
        let second = read(keys, confirming: first.unconfirmed, capacity: 4, bits: 512)
        #expect(second.repeat == nil)
    }

    @Test("a second reading tracks only the users it is given: the first reading vouched for the others")
    func secondReadingTracksOnlyUnconfirmed() {
        let keys = ["a", "b", "a", "c", "b"]
        #expect(
            read(keys, confirming: [UserRunIndex.key(tenant: "t", user: "b")], capacity: 10, bits: 1 << 16).repeat?.line
                == 5)
        #expect(read(keys, confirming: [], capacity: 10, bits: 1 << 16).repeat == nil)
    }

    @Test("a Bloom filter never forgets: every key added is reported as maybe present")
    func bloomFilterHasNoFalseNegatives() {
        let filter = BloomFilter(bits: 1 << 12)
        let hashes = (0..<500).map { Self.hash("tenant", "user\($0)@example.test") }
        #expect(hashes.filter { filter.insert(hash: $0) }.count < 50)
        #expect(hashes.allSatisfy { filter.insert(hash: $0) })
    }

    static func hash(_ tenant: String, _ key: String) -> UInt64 {
        var key = key
        return key.withUTF8 { UserKeyHash.of(tenant: tenant, userKey: $0) }
    }

    @Test("a user's hash tells the tenant from the key, and every length of a key from the next")
    func userKeyHashParts() {
        #expect(Self.hash("ab", "c") != Self.hash("a", "bc"))
        #expect(Self.hash("t", "") != Self.hash("", "t"))
        #expect(Self.hash("t001", "ann@x.example") == Self.hash("t001", "ann@x.example"))
        // Keys of every length up to three words, zero bytes among them: no two the same.
        var hashes = Set<UInt64>()
        for length in 0...24 {
            for filler: Character in ["a", "\u{0}"] {
                hashes.insert(Self.hash("t", String(repeating: filler, count: length)))
            }
        }
        // The empty key is made twice.
        #expect(hashes.count == 2 * 25 - 1)
    }

    @Test("the users of a large generated export hash apart, and a filter of their size rules out nearly all others")
    func userKeyHashSpreads() {
        let users = (0..<200_000).map { (tenant: "t\($0 % 100)", key: "user\($0)@tenant\($0 % 100).example") }
        let hashes = users.map { Self.hash($0.tenant, $0.key) }
        #expect(Set(hashes).count == users.count)
        // The run index's ratio: 2^28 bits for millions of users; here 2^24 for 200,000 users, then 200,000 others.
        let filter = BloomFilter(bits: 1 << 24)
        #expect(hashes.filter { filter.insert(hash: $0) }.count < 5)
        let others = (0..<200_000).map { Self.hash("t\($0 % 100)", "other\($0)@tenant.example") }
        #expect(others.filter { filter.insert(hash: $0) }.count < 20)
    }
}
