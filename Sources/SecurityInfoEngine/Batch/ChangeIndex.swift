import SecurityInfo
import SecurityInfoFormats

/// Which rows of a change file name which user, in about 24 bytes a change: a hash of the tenant and user key per
/// row, sorted, with a table of where each range of hashes begins and a bit table of the hashes present. The
/// dictionaries of key strings it replaces took about 200 bytes a change, and the change file is what grows a run's
/// memory. A hit is confirmed against the rows themselves, so two users whose hashes agree are never taken for one.
struct ChangeIndex: Sendable {
    /// The hashes of the rows that name a user, sorted; `rows` holds the row of each, in file order among equals.
    private let hashes: [UInt64]
    private let rows: [UInt32]
    /// `buckets[b]` is where the hashes whose top bits are `b` begin in `hashes`; one more entry ends the last.
    private let buckets: [UInt32]
    private let bucketShift: UInt64
    /// One bit per 2^`presenceShift` of the hash space, set where a row's hash falls: about 16 bits a row, so that
    /// nearly every user no change names is told by one load from a table that stays in the cache (the bucket
    /// table and the hashes are two loads apart in memory several times its size: 1.5 % of a run's CPU).
    private let presence: [UInt64]
    private let presenceShift: UInt64
    /// The tenants of the users the rows name.
    let tenants: Set<String>

    init(_ changeFile: ChangeFile) {
        var keyed: [(hash: UInt64, row: UInt32)] = []
        keyed.reserveCapacity(changeFile.rows.count)
        var tenants: Set<String> = []
        for (index, row) in changeFile.rows.enumerated() where Self.namesUser(row.request) {
            keyed.append((Self.hash(tenant: row.request.tenant, userKey: row.request.userKey), UInt32(index)))
            tenants.insert(row.request.tenant)
        }
        self.tenants = tenants
        keyed.sort { $0.hash != $1.hash ? $0.hash < $1.hash : $0.row < $1.row }
        hashes = keyed.map(\.hash)
        rows = keyed.map(\.row)
        // About one hash per bucket: a lookup reads one bucket and a hash or two.
        let bucketBits = max(1, UInt64.bitWidth - UInt64(max(keyed.count, 1)).leadingZeroBitCount)
        bucketShift = UInt64(UInt64.bitWidth - bucketBits)
        var buckets = [UInt32](repeating: 0, count: (1 << bucketBits) + 1)
        var position = 0
        for bucket in 0..<(1 << bucketBits) {
            buckets[bucket] = UInt32(position)
            while position < keyed.count && Int(keyed[position].hash >> bucketShift) == bucket { position += 1 }
        }
        buckets[1 << bucketBits] = UInt32(keyed.count)
        self.buckets = buckets
        let presenceBits = min(bucketBits + 4, 40)
        presenceShift = UInt64(UInt64.bitWidth - presenceBits)
        var presence = [UInt64](repeating: 0, count: max(1, (1 << presenceBits) / 64))
        for (hash, _) in keyed {
            let bit = Int(hash >> presenceShift)
            presence[bit / 64] |= 1 << UInt64(bit % 64)
        }
        self.presence = presence
    }

    /// Whether a row names a user: a row without a tenant or a user stands alone, for R-INPUT-ROW to reject.
    static func namesUser(_ request: ChangeRequest) -> Bool {
        !request.tenant.isEmpty && !request.user.trimmingWhitespace.isEmpty
    }

    /// The reading's hash of a user (`UserKeyHash`), which a worker has already made for each user it keeps as bytes
    /// (a second, seeded hash per user was 3 % of a run's CPU). Unseeded, it is no weaker here: a hit is confirmed
    /// against the row, and the rows a lookup walks are the change file's own, never the export's.
    private static func hash(tenant: String, userKey: String) -> UInt64 {
        var userKey = userKey
        return userKey.withUTF8 { UserKeyHash.of(tenant: tenant, userKey: $0) }
    }

    /// The rows naming the user, in file order; empty when none does.
    func changes(tenant: String, userKey: String, in changeFile: ChangeFile) -> [Int] {
        var userKey = userKey
        return userKey.withUTF8 {
            changes(tenant: tenant, userKey: $0, hash: UserKeyHash.of(tenant: tenant, userKey: $0), in: changeFile)
        }
    }

    /// The same, with the user's key (`User.key`) as UTF-8 and its `UserKeyHash`.
    func changes(tenant: String, userKey: UnsafeBufferPointer<UInt8>, hash: UInt64, in changeFile: ChangeFile) -> [Int]
    {
        guard mayName(hash) else { return [] }
        let bucket = Int(hash >> bucketShift)
        var position = Int(buckets[bucket])
        let end = Int(buckets[bucket + 1])
        var found: [Int] = []
        while position < end && hashes[position] <= hash {
            if hashes[position] == hash {
                let row = Int(rows[position])
                let request = changeFile.rows[row].request
                if request.tenant == tenant && request.userKey.utf8.elementsEqual(userKey) { found.append(row) }
            }
            position += 1
        }
        return found
    }

    /// Whether a row's hash may be `hash`: `false` is certain.
    private func mayName(_ hash: UInt64) -> Bool {
        let bit = Int(hash >> presenceShift)
        return presence[bit / 64] & (1 << UInt64(bit % 64)) != 0
    }

    /// The rows naming the same user as `row`, in file order (`row` alone when it names none).
    func changes(sameUserAs row: Int, in changeFile: ChangeFile) -> [Int] {
        let request = changeFile.rows[row].request
        guard Self.namesUser(request) else { return [row] }
        return changes(tenant: request.tenant, userKey: request.userKey, in: changeFile)
    }
}
