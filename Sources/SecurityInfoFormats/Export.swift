public import SecurityInfo

/// One user of a tenant export, with where it was read.
public struct ExportRecord: Sendable {
    public var tenant: String
    public var user: User
    /// The line of the user's first row (or element).
    public var line: Int
    /// The rows (or method elements) the user took, an empty-method row included: every one is accounted for.
    public var rowCount: Int

    public init(tenant: String, user: User, line: Int, rowCount: Int) {
        self.tenant = tenant
        self.user = user
        self.line = line
        self.rowCount = rowCount
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

/// Writes an export user by user, counting what it encodes for the control totals.
public protocol ExportWriter {
    mutating func write(_ record: ExportRecord) throws(OutputError)
    mutating func finish() throws(OutputError)
    /// What was encoded, per tenant: recounted from the output, not carried over from the input.
    var written: [String: WrittenTotals] { get }
}

/// Users and methods of one tenant as written to an output.
public struct WrittenTotals: Sendable, Hashable {
    public var users = 0
    public var methods: [MethodKind: Int] = [:]
    public init() {}

    mutating func count(_ user: User) {
        users += 1
        for method in user.methods { methods[method.kind, default: 0] += 1 }
    }
}

/// The columns of the CSV export, in the order secinfo writes them (SPEC.md).
enum ExportColumn {
    static let tenant = "tenant", user = "user", admin = "admin", defaultMethod = "default_method"
    static let method = "method", methodID = "method_id", value = "value"
    static let all = [tenant, user, admin, defaultMethod, method, methodID, value]
    static let required = [tenant, user, admin, defaultMethod, method, value]
}
