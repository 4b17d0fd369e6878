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
    /// The user's line, when read from a Graph export: what a Graph writer keeps of it.
    public var graph: GraphUserLine?

    public init(tenant: String, user: User, line: Int, rowCount: Int, nameLine: Int? = nil, nameColumn: Int = 1) {
        self.tenant = tenant
        self.user = user
        self.line = line
        self.rowCount = rowCount
        self.nameLine = nameLine ?? line
        self.nameColumn = nameColumn
    }
}
