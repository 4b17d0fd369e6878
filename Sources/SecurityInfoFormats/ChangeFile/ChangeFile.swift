import SecurityInfo

/// A change file as read: every row, with its fields exactly as read, so rejected rows go back out unaltered.
public struct ChangeFile: Sendable {
    public var path: String
    /// The columns as the file names them.
    public let header: [String]
    public private(set) var rows: ChangeRows

    public init(path: String, header: [String] = ChangeFile.columns, rows: [ChangeRow] = []) {
        self.path = path
        self.header = header
        self.rows = ChangeRows(header: header)
        for row in rows { self.rows.append(row) }
    }

    /// A file whose rows were read into `rows`, made with the same header.
    public init(path: String, rows: ChangeRows) {
        self.path = path
        self.header = rows.header
        self.rows = rows
        self.rows.trimCapacity()
    }

    /// The change-file columns secinfo reads (SPEC.md), in the order `rejected.csv` writes them.
    public static let columns = ["change_id", "tenant", "user", "operation", "method", "method_id", "value", "expect"]
    static let requiredColumns = ["tenant", "user", "operation"]
    /// The columns `rejected.csv` adds; on a file fed back in they are replaced, not repeated.
    public static let reportColumns = ["rule", "message"]

    /// The file's other columns, kept in `rejected.csv` in their order.
    public var extraColumns: [String] {
        header.filter { name in
            let key = name.trimmingWhitespace.lowercased()
            return !Self.columns.contains(key) && !Self.reportColumns.contains(key)
        }
    }

    /// A row in change-file form: the eight columns, then the extra ones, each as read (empty when absent).
    public func changeFileFields(of row: ChangeRow) -> [String] {
        var byName: [String: String] = [:]
        for (name, field) in zip(header, row.fields) { byName[name.trimmingWhitespace.lowercased()] = field }
        return Self.columns.map { byName[$0] ?? "" }
            + extraColumns.map { byName[$0.trimmingWhitespace.lowercased()] ?? "" }
    }
}
