public import SecurityInfo

/// A change file as read: every row, with its fields exactly as read, so rejected rows go back out unaltered.
public struct ChangeFile: Sendable {
    public var path: String
    /// The columns as the file names them.
    public var header: [String]
    public var rows: [ChangeRow]

    public init(path: String, header: [String] = ChangeFile.columns, rows: [ChangeRow] = []) {
        self.path = path
        self.header = header
        self.rows = rows
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

/// One row of a change file: what the rule engine reads, and the fields exactly as read.
public struct ChangeRow: Sendable {
    public var request: ChangeRequest
    public var fields: [String]

    public init(request: ChangeRequest, fields: [String]) {
        self.request = request
        self.fields = fields
    }
}

/// Reads a CSV change file whole: change files are small next to exports, and the batch needs every change of a
/// user before it meets that user. Two rows with one non-empty id are an input error.
public enum CSVChangeFileReader {
    public static func read(source: any ByteSource) throws(InputError) -> ChangeFile {
        var csv = CSVReader(source: source)
        guard let header = try csv.next() else {
            throw InputError(file: source.path, line: 1, column: 1, "the file is empty: expected a header row")
        }
        let columns = try ColumnIndex(header: header, path: source.path, required: ChangeFile.requiredColumns)
        var rows: [ChangeRow] = []
        var lineOfID: [String: Int] = [:]
        while let record = try csv.next() {
            try columns.checkWidth(of: record, path: source.path)
            let request = ChangeRequest(
                line: record.line,
                changeID: String(columns.field("change_id", in: record).trimmingWhitespace),
                tenant: String(columns.field("tenant", in: record).trimmingWhitespace),
                user: String(columns.field("user", in: record).trimmingWhitespace),
                operation: columns.field("operation", in: record), method: columns.field("method", in: record),
                methodID: columns.field("method_id", in: record), value: columns.field("value", in: record),
                expect: columns.field("expect", in: record))
            if !request.changeID.isEmpty {
                if let earlier = lineOfID[request.changeID] {
                    let location = columns.location(of: "change_id", in: record)
                    throw InputError(
                        file: source.path, line: location.line, column: location.column,
                        "change id '\(request.changeID)' is used again (first at line \(earlier))")
                }
                lineOfID[request.changeID] = record.line
            }
            rows.append(ChangeRow(request: request, fields: record.fields))
        }
        return ChangeFile(path: source.path, header: header.fields, rows: rows)
    }
}
