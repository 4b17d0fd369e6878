import SecurityInfo

/// Where the columns of a CSV export are, read once from its header and shared by every reader of its rows.
struct CSVExportLayout: Sendable {
    let path: String
    let columns: ColumnIndex
    let tenant, user, admin, defaultMethod, method, methodID, value: ColumnIndex.Column

    /// Reads the header row: an empty file, a missing or repeated column is an error.
    init(header csv: inout CSVReader) throws(InputError) {
        path = csv.path
        guard let header = try csv.next() else {
            throw InputError(file: path, line: 1, column: 1, "the file is empty: expected a header row")
        }
        columns = try ColumnIndex(header: header, path: path, required: ExportColumn.required)
        tenant = columns.column(ExportColumn.tenant)
        user = columns.column(ExportColumn.user)
        admin = columns.column(ExportColumn.admin)
        defaultMethod = columns.column(ExportColumn.defaultMethod)
        method = columns.column(ExportColumn.method)
        methodID = columns.column(ExportColumn.methodID)
        value = columns.column(ExportColumn.value)
    }

    /// Whether the columns are those `CSVExportEncoder` writes, in its order and no others: only then can a row read
    /// be what it would write.
    var isCanonical: Bool {
        columns.names.count == ExportColumn.all.count
            && [tenant, user, admin, defaultMethod, method, methodID, value].enumerated().allSatisfy {
                $0.element.position == $0.offset
            }
    }

    /// Whether a row belongs to the same user as the row before it: same tenant, same name without regard to case.
    static func isSameUser(tenant: String, name: String, asTenant otherTenant: String, name otherName: String) -> Bool {
        tenant == otherTenant && (name == otherName || name.lowercased() == otherName.lowercased())
    }

    /// The error for a user whose rows are apart, at the user cell of the later run's first row.
    func usersApart(name: String, line: Int, column: Int, earlierLine: Int) -> InputError {
        InputError(
            file: path, line: line, column: column,
            "the rows of user '\(name)' are apart: they began at line \(earlierLine)")
    }
}
