import SecurityInfo

/// Reads a CSV tenant export (SPEC.md) as a stream of users, checking each row as it goes.
public struct CSVExportReader: ExportReader {
    private var csv: CSVReader
    private let layout: CSVExportLayout
    private var columns: ColumnIndex { layout.columns }
    /// The row being read and the one after it, their storage reused from row to row.
    private var row = CSVRow()
    private var following = CSVRow()
    /// Whether `following` holds a row read ahead, the first of the next user.
    private var hasFollowing = false
    /// Reading a chunk: where the row read ahead begins (the next user), and its line; `nil` when there is none.
    private(set) var nextUser: (offset: Int, line: Int)?
    /// Reading a chunk: the user whose rows are being read, once its first row has been checked.
    private(set) var unfinished: ExportRecord?
    /// Tells a user whose rows are apart, in bounded memory; `nil` for a chunk, whose runs are checked in file order
    /// by the one reading the chunks' records (`ExportRunCheck`).
    private let runs: UserRunIndex?

    public var path: String { csv.path }

    public var unconfirmedRepeats: Set<String> { runs?.unconfirmed ?? [] }

    /// - Parameter confirming: `nil` on a first reading; on a second, the users the first left unconfirmed
    ///   (`unconfirmedRepeats`).
    public init(source: any ByteSource, confirming: Set<String>? = nil) throws(InputError) {
        csv = CSVReader(source: source)
        layout = try CSVExportLayout(header: &csv)
        runs = UserRunIndex(confirming: confirming)
    }

    /// Reads the rows of a chunk cut from an export after its header: its runs are not checked here.
    init(chunk csv: CSVReader, layout: CSVExportLayout) {
        self.csv = csv
        self.layout = layout
        runs = nil
    }

    public mutating func next() throws(InputError) -> ExportRecord? {
        nextUser = nil
        if hasFollowing {
            swap(&row, &following)
            hasFollowing = false
        } else {
            guard try Self.readRow(&csv, into: &row, layout: layout) else { return nil }
        }
        let tenant = columns.field(layout.tenant, in: row)
        guard TenantID.isValid(tenant) else {
            throw error(
                at: layout.tenant, in: row,
                "tenant '\(ContactMask.echoed(tenant: tenant))' is not 1–64 of A-Z a-z 0-9 . _ - starting with a letter or digit"
            )
        }
        let name = columns.field(layout.user, in: row)
        guard !name.trimmingWhitespace.isEmpty else {
            throw error(at: layout.user, in: row, "the user is empty")
        }
        var user = User(name: name, isAdmin: try admin(of: row), defaultMethod: try defaultMethod(of: row))
        let firstLine = row.line
        let userCell = columns.location(of: layout.user, in: row)
        if let runs, let earlier = runs.startRun(tenant: tenant, user: user.key, line: firstLine) {
            throw layout.usersApart(name: name, line: userCell.line, column: userCell.column, earlierLine: earlier)
        }
        if runs == nil {
            // Reading a chunk: should this user's rows fail, its run is still checked before the failure is raised.
            unfinished = ExportRecord(
                tenant: tenant, user: User(name: name), line: firstLine, rowCount: 0, nameLine: userCell.line,
                nameColumn: userCell.column)
        }

        var rowCount = 0
        while true {
            rowCount += 1
            if row.line != firstLine {
                guard try admin(of: row) == user.isAdmin else {
                    throw error(at: layout.admin, in: row, "admin disagrees with the user's row at line \(firstLine)")
                }
                guard try defaultMethod(of: row) == user.defaultMethod else {
                    throw error(
                        at: layout.defaultMethod, in: row,
                        "default_method disagrees with the user's row at line \(firstLine)")
                }
            }
            if let method = try method(of: row) { user.methods.append(method) }
            guard try Self.readRow(&csv, into: &following, layout: layout) else { break }
            guard isSameUser(following, tenant: tenant, name: name) else {
                hasFollowing = true
                nextUser = (csv.rowStart, following.line)
                break
            }
            swap(&row, &following)
        }
        unfinished = nil
        return ExportRecord(
            tenant: tenant, user: user, line: firstLine, rowCount: rowCount, nameLine: userCell.line,
            nameColumn: userCell.column)
    }

    /// Whether a row is the user's: compared as bytes first, without making text of them.
    private func isSameUser(_ row: CSVRow, tenant: String, name: String) -> Bool {
        guard let tenantColumn = layout.tenant.position, let userColumn = layout.user.position,
            row.field(tenantColumn, equals: tenant)
        else { return false }
        if row.field(userColumn, equals: name) { return true }
        return CSVExportLayout.isSameUser(tenant: tenant, name: row.string(userColumn), asTenant: tenant, name: name)
    }

    private static func readRow(_ csv: inout CSVReader, into row: inout CSVRow, layout: CSVExportLayout)
        throws(InputError) -> Bool
    {
        guard try csv.nextRow(into: &row) else { return false }
        try layout.columns.checkWidth(of: row, path: layout.path)
        return true
    }

    private func admin(of row: CSVRow) throws(InputError) -> Bool {
        if let position = layout.admin.position {
            if row.field(position, equals: "false") { return false }
            if row.field(position, equals: "true") { return true }
        }
        let text = columns.field(layout.admin, in: row)
        switch text.trimmingWhitespace.lowercased() {
        case "true": return true
        case "false", "": return false
        case let other:
            throw error(at: layout.admin, in: row, "admin is '\(ContactMask.echoed(other))': expected true or false")
        }
    }

    private func defaultMethod(of row: CSVRow) throws(InputError) -> DefaultMethod {
        // Most exports spell the token exactly: it is found from the bytes, with no text made.
        if let position = layout.defaultMethod.position, let exact = row.withField(position, ExportColumn.exactDefault)
        {
            return exact
        }
        let text = columns.field(layout.defaultMethod, in: row)
        if let exact = DefaultMethod(rawValue: text) { return exact }
        let token = text.trimmingWhitespace
        if token.isEmpty { return .none }
        guard let value = DefaultMethod(token: token) else {
            throw error(
                at: layout.defaultMethod, in: row,
                "default_method '\(ContactMask.echoed(token))' is not one of \(DefaultMethod.allCases.map(\.rawValue).joined(separator: " "))"
            )
        }
        return value
    }

    private func method(of row: CSVRow) throws(InputError) -> MethodInstance? {
        // Most exports spell the token exactly: it is found from the bytes, with no text made.
        if let position = layout.method.position, let kind = row.withField(position, ExportColumn.exactMethodKind) {
            return MethodInstance(
                kind: kind, id: columns.field(layout.methodID, in: row), value: columns.field(layout.value, in: row))
        }
        let token = columns.field(layout.method, in: row).trimmingWhitespace
        if token.isEmpty {
            // Nothing is dropped silently: a value without a method is a broken row, not an empty one.
            for column in [layout.value, layout.methodID] where !columns.field(column, in: row).isEmpty {
                throw error(at: column, in: row, "\(column.name) is set on a row without a method")
            }
            return nil
        }
        guard let kind = MethodKind(token: token) else {
            throw error(at: layout.method, in: row, "unknown method '\(ContactMask.echoed(token))'")
        }
        return MethodInstance(
            kind: kind, id: columns.field(layout.methodID, in: row), value: columns.field(layout.value, in: row))
    }

    private func error(at column: ColumnIndex.Column, in row: CSVRow, _ message: String) -> InputError {
        let location = columns.location(of: column, in: row)
        return InputError(file: path, line: location.line, column: location.column, message)
    }
}
