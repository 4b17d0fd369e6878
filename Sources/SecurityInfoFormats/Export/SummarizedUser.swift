public import SecurityInfo

/// A user of a chunk no change needs to see decoded: where its bytes are in the chunk (`ExportChunk.Users.bytes`),
/// already what the format's encoder would write, and the summary the audit and the totals read. Nothing of it is
/// allocated per user but its tenant's text, which is shared by a tenant's users.
public struct SummarizedUser: Sendable {
    public var tenant: String
    /// The user's rows (or element), encoded as they would be written.
    public var encoded: Range<Int>
    /// The user principal name's bytes.
    public var name: NameBytes
    /// The line of the user's first row, and its row count, an empty-method row included.
    public var line: Int
    public var rowCount: Int
    /// Where the user is named, for messages (the `user` cell's column; 1 for an element).
    public var nameColumn: Int
    public var summary: UserSummary
    /// The hash the run check files the user under (`UserRunIndex.hash`), made on the worker.
    var runHash: UInt64 = 0

    init(
        tenant: String, encoded: Range<Int>, name: Range<Int>, line: Int, rowCount: Int, nameColumn: Int,
        summary: UserSummary
    ) {
        (self.tenant, self.encoded, self.name, self.line) = (tenant, encoded, NameBytes(range: name), line)
        (self.rowCount, self.nameColumn, self.summary) = (rowCount, nameColumn, summary)
    }

    /// Makes the run check's hash, and returns whether a change names the user: one making of its key for both.
    mutating func finish(in bytes: UnsafeBufferPointer<UInt8>, summarizing: Summarizing) -> Bool {
        let (tenant, namesUser) = (tenant, summarizing.namesUser)
        let (hash, isNamed) = name.withKey(in: bytes) { (key) -> (UInt64, Bool) in
            let hash = UserRunIndex.hash(tenant: tenant, userKey: key)
            return (hash, namesUser(tenant, key, hash))
        }
        runHash = hash
        return isNamed
    }
}

/// Where a kept user's principal name is in its chunk's bytes: ASCII (`User.key` is then a byte-wise lower-casing).
/// A value of its own, so that a closure that may need the name captures these 16 bytes, not the whole user (a copy
/// of some 160 bytes per user, even when the closure is never called).
public struct NameBytes: Sendable {
    let range: Range<Int>

    /// The user principal name, as a `User` would hold it.
    public func text(in bytes: [UInt8]) -> String { String(decoding: bytes[range], as: UTF8.self) }

    /// Calls `body` with the user's key (`User.key`) as UTF-8, lower-cased on the stack when it must be.
    public func withKey<Result>(in bytes: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        bytes.withUnsafeBufferPointer { withKey(in: $0, body) }
    }

    func withKey<Result>(in bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Result)
        -> Result
    {
        let name = UnsafeBufferPointer(rebasing: bytes[range])
        guard name.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return body(name) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: name.count) { key in
            for (index, byte) in name.enumerated() {
                key[index] = byte.asciiLowercased
            }
            return body(UnsafeBufferPointer(key))
        }
    }
}

/// What a reading needs to keep users as their bytes: each tenant's policy (the summary's value checks depend on it),
/// and whether a change names a user (given its tenant, `User.key` as UTF-8 and that key's `UserKeyHash`), which is
/// then decoded for the rule engine.
public struct Summarizing {
    public var policy: (String) -> TenantPolicy
    public var namesUser: (String, UnsafeBufferPointer<UInt8>, UInt64) -> Bool

    public init(
        policy: @escaping (String) -> TenantPolicy,
        namesUser: @escaping (String, UnsafeBufferPointer<UInt8>, UInt64) -> Bool
    ) {
        self.policy = policy
        self.namesUser = namesUser
    }
}

/// One user of a chunk, in file order: decoded, or kept as its bytes.
public enum ChunkUser: Sendable {
    /// Indirect: a record is several times a summarised user's size, and a chunk holds thousands of users.
    indirect case decoded(ExportRecord)
    case summarized(SummarizedUser)

    public var tenant: String {
        switch self {
        case .decoded(let record): record.tenant
        case .summarized(let user): user.tenant
        }
    }

    public var line: Int {
        switch self {
        case .decoded(let record): record.line
        case .summarized(let user): user.line
        }
    }

    public var rowCount: Int {
        switch self {
        case .decoded(let record): record.rowCount
        case .summarized(let user): user.rowCount
        }
    }
}
