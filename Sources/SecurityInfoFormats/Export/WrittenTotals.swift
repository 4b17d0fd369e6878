public import SecurityInfo

/// Users and methods of one tenant as written to an output.
public struct WrittenTotals: Sendable, Hashable {
    public var users = 0
    /// Methods outside the nine (a Graph export's), by type: kept as read, counted so that none is lost.
    public private(set) var others: [String: Int] = [:]
    /// Methods by kind's ordinal: every user written is counted, so without hashing a kind per method.
    private var counts = [Int](repeating: 0, count: MethodKind.allCases.count)
    public init() {}

    /// The methods written, by kind (kinds with none left out).
    public var methods: [MethodKind: Int] {
        get {
            var methods: [MethodKind: Int] = [:]
            for kind in MethodKind.allCases where counts[kind.ordinal] > 0 { methods[kind] = counts[kind.ordinal] }
            return methods
        }
        set {
            counts = [Int](repeating: 0, count: MethodKind.allCases.count)
            for (kind, count) in newValue { counts[kind.ordinal] = count }
        }
    }

    /// Counts a user as encoded, with the types of the methods outside the nine its record keeps.
    public mutating func count(_ user: User, otherTypes: [String] = []) {
        users += 1
        for method in user.methods { counts[method.kind.ordinal] += 1 }
        for type in otherTypes { others[type, default: 0] += 1 }
    }

    /// Counts a user kept as its bytes, by what its summary holds.
    public mutating func count(_ methods: MethodCounts) {
        users += 1
        for kind in MethodKind.allCases { counts[kind.ordinal] += methods[kind] }
    }

    /// Adds counts of the same tenant.
    public mutating func add(_ other: WrittenTotals) {
        users += other.users
        for ordinal in counts.indices { counts[ordinal] += other.counts[ordinal] }
        for (type, count) in other.others { others[type, default: 0] += count }
    }
}
