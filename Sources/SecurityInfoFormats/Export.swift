public import SecurityInfo

/// One user of a tenant export, with where it was read.
public struct ExportRecord: Sendable {
    public var tenant: String
    public var user: User
    /// The line of the user's first row (or element).
    public var line: Int
    /// The rows (or method elements) the user took, an empty-method row included: every one is accounted for.
    public var rowCount: Int
    /// Where the user is named (a CSV `user` cell, which may be below `line` after a value over several lines),
    /// for messages.
    public var nameLine: Int
    public var nameColumn: Int

    public init(tenant: String, user: User, line: Int, rowCount: Int, nameLine: Int? = nil, nameColumn: Int = 1) {
        self.tenant = tenant
        self.user = user
        self.line = line
        self.rowCount = rowCount
        self.nameLine = nameLine ?? line
        self.nameColumn = nameColumn
    }
}

/// Reads an export as a stream of users: the same interface for every format, so the engine never knows which.
public protocol ExportReader {
    var path: String { get }
    /// The next user, or `nil` at the end. A user's rows must be contiguous.
    mutating func next() throws(InputError) -> ExportRecord?
    /// Users this reading could not rule out having met before (see `UserRunIndex`): a second reading given them
    /// (`FormatRegistry.exportReader(path:maximumBytes:confirming:)`) confirms or clears each.
    var unconfirmedRepeats: Set<String> { get }
}

/// Encodes users in an export's format (CSV rows, an XML `<user>` element) without touching any output, so that
/// workers can encode in parallel while one writer writes in order.
public protocol ExportEncoder: Sendable {
    /// Appends the bytes of one user to `bytes`.
    func encode(_ record: ExportRecord, into bytes: inout [UInt8]) throws(OutputError)
}

/// Writes an export from encoded users, in order, counting what it writes for the control totals.
public protocol ExportWriter {
    /// The encoder whose bytes `write(encoded:tenant:totals:)` takes.
    var encoder: any ExportEncoder { get }
    /// Writes users encoded by `encoder`, all of one tenant, with what they hold (counted as they were encoded).
    mutating func write(encoded bytes: [UInt8], tenant: String, totals: WrittenTotals) throws(OutputError)
    mutating func finish() throws(OutputError)
    /// What was written, per tenant: recounted from the encoded users, not carried over from the input.
    var written: [String: WrittenTotals] { get }
}

extension ExportWriter {
    /// Encodes and writes one user.
    public mutating func write(_ record: ExportRecord) throws(OutputError) {
        var bytes: [UInt8] = []
        try encoder.encode(record, into: &bytes)
        var totals = WrittenTotals()
        totals.count(record.user)
        try write(encoded: bytes, tenant: record.tenant, totals: totals)
    }
}

/// Users and methods of one tenant as written to an output.
public struct WrittenTotals: Sendable, Hashable {
    public var users = 0
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

    /// Counts a user as encoded.
    public mutating func count(_ user: User) {
        users += 1
        for method in user.methods { counts[method.kind.ordinal] += 1 }
    }

    /// Adds counts of the same tenant.
    public mutating func add(_ other: WrittenTotals) {
        users += other.users
        for ordinal in counts.indices { counts[ordinal] += other.counts[ordinal] }
    }
}

/// The columns of the CSV export, in the order secinfo writes them (SPEC.md).
enum ExportColumn {
    static let tenant = "tenant", user = "user", admin = "admin", defaultMethod = "default_method"
    static let method = "method", methodID = "method_id", value = "value"
    static let all = [tenant, user, admin, defaultMethod, method, methodID, value]
    static let required = [tenant, user, admin, defaultMethod, method, value]

    /// The method kind whose token the bytes are exactly, found without making text of them.
    static func exactMethodKind(_ bytes: UnsafeBufferPointer<UInt8>) -> MethodKind? { exact(bytes, in: methodTokens) }

    /// The default method whose token the bytes are exactly.
    static func exactDefault(_ bytes: UnsafeBufferPointer<UInt8>) -> DefaultMethod? { exact(bytes, in: defaultTokens) }

    private static func exact<Value>(_ bytes: UnsafeBufferPointer<UInt8>, in tokens: [([UInt8], Value)]) -> Value? {
        for (token, value) in tokens where token.count == bytes.count && token.elementsEqual(bytes) { return value }
        return nil
    }

    private static let methodTokens = MethodKind.allCases.map { (Array($0.rawValue.utf8), $0) }
    private static let defaultTokens = DefaultMethod.allCases.map { (Array($0.rawValue.utf8), $0) }
}
