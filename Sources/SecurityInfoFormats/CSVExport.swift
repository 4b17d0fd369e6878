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

/// Reads a CSV tenant export (SPEC.md) as a stream of users, checking each row as it goes.
public struct CSVExportReader: ExportReader {
    private var csv: CSVReader
    private let layout: CSVExportLayout
    private var columns: ColumnIndex { layout.columns }
    private var pending: CSVRecord?
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
        var next = pending
        pending = nil
        if next == nil { next = try readRecord() }
        guard let first = next else { return nil }
        let tenant = columns.field(layout.tenant, in: first)
        guard TenantID.isValid(tenant) else {
            throw error(
                at: layout.tenant, in: first,
                "tenant '\(tenant)' is not 1–64 of A-Z a-z 0-9 . _ - starting with a letter or digit")
        }
        let name = columns.field(layout.user, in: first)
        guard !name.trimmingWhitespace.isEmpty else {
            throw error(at: layout.user, in: first, "the user is empty")
        }
        var user = User(
            name: name, isAdmin: try admin(of: first), defaultMethod: try defaultMethod(of: first))
        let userCell = columns.location(of: layout.user, in: first)
        if let runs, let earlier = runs.startRun(key: tenant + "\u{0}" + user.key, line: first.line) {
            throw layout.usersApart(name: name, line: userCell.line, column: userCell.column, earlierLine: earlier)
        }

        var rowCount = 0
        var record = first
        while true {
            rowCount += 1
            if record.line != first.line {
                guard try admin(of: record) == user.isAdmin else {
                    throw error(
                        at: layout.admin, in: record, "admin disagrees with the user's row at line \(first.line)")
                }
                guard try defaultMethod(of: record) == user.defaultMethod else {
                    throw error(
                        at: layout.defaultMethod, in: record,
                        "default_method disagrees with the user's row at line \(first.line)")
                }
            }
            if let method = try method(of: record) { user.methods.append(method) }
            guard let following = try readRecord() else { break }
            guard
                CSVExportLayout.isSameUser(
                    tenant: columns.field(layout.tenant, in: following),
                    name: columns.field(layout.user, in: following), asTenant: tenant, name: user.name)
            else {
                pending = following
                break
            }
            record = following
        }
        return ExportRecord(
            tenant: tenant, user: user, line: first.line, rowCount: rowCount, column: userCell.column)
    }

    private mutating func readRecord() throws(InputError) -> CSVRecord? {
        guard let record = try csv.next() else { return nil }
        try columns.checkWidth(of: record, path: path)
        return record
    }

    private func admin(of record: CSVRecord) throws(InputError) -> Bool {
        let text = columns.field(layout.admin, in: record)
        if text == "false" { return false }
        if text == "true" { return true }
        switch text.trimmingWhitespace.lowercased() {
        case "true": return true
        case "false", "": return false
        case let other: throw error(at: layout.admin, in: record, "admin is '\(other)': expected true or false")
        }
    }

    private func defaultMethod(of record: CSVRecord) throws(InputError) -> DefaultMethod {
        if let exact = DefaultMethod(rawValue: columns.field(layout.defaultMethod, in: record)) { return exact }
        let text = columns.field(layout.defaultMethod, in: record).trimmingWhitespace
        if text.isEmpty { return .none }
        guard let value = DefaultMethod(token: text) else {
            throw error(
                at: layout.defaultMethod, in: record,
                "default_method '\(text)' is not one of \(DefaultMethod.allCases.map(\.rawValue).joined(separator: " "))"
            )
        }
        return value
    }

    private func method(of record: CSVRecord) throws(InputError) -> MethodInstance? {
        let field = columns.field(layout.method, in: record)
        // Most exports spell the token exactly: no trimming, no copy.
        if let kind = MethodKind(rawValue: field) {
            return MethodInstance(
                kind: kind, id: columns.field(layout.methodID, in: record),
                value: columns.field(layout.value, in: record)
            )
        }
        let token = field.trimmingWhitespace
        if token.isEmpty {
            // Nothing is dropped silently: a value without a method is a broken row, not an empty one.
            for column in [layout.value, layout.methodID] where !columns.field(column, in: record).isEmpty {
                throw error(at: column, in: record, "\(column.name) is set on a row without a method")
            }
            return nil
        }
        guard let kind = MethodKind(token: token) else {
            throw error(at: layout.method, in: record, "unknown method '\(token)'")
        }
        return MethodInstance(
            kind: kind, id: columns.field(layout.methodID, in: record),
            value: columns.field(layout.value, in: record))
    }

    private func error(at column: ColumnIndex.Column, in record: CSVRecord, _ message: String) -> InputError {
        let location = columns.location(of: column, in: record)
        return InputError(file: path, line: location.line, column: location.column, message)
    }
}

/// Encodes users as CSV export rows: one per method, one with an empty `method` for a user with none.
public struct CSVExportEncoder: ExportEncoder {
    public init() {}

    public func encode(_ record: ExportRecord, into bytes: inout [UInt8]) throws(OutputError) {
        let user = record.user
        let prefix = [record.tenant, user.name, user.isAdmin ? "true" : "false", user.defaultMethod.rawValue]
        if user.methods.isEmpty { CSVWriter.append(prefix + ["", "", ""], to: &bytes) }
        for method in user.methods {
            CSVWriter.append(prefix + [method.kind.rawValue, method.id, method.value], to: &bytes)
        }
    }
}

/// Writes a CSV tenant export: the header, then the users' rows, LF line ends, no BOM.
public struct CSVExportWriter: ExportWriter {
    private let sink: any ByteSink
    public let encoder: any ExportEncoder = CSVExportEncoder()
    public private(set) var written: [String: WrittenTotals] = [:]

    public init(sink: any ByteSink) throws(OutputError) {
        self.sink = sink
        var header: [UInt8] = []
        CSVWriter.append(ExportColumn.all, to: &header)
        try sink.write(header)
    }

    public mutating func write(encoded bytes: [UInt8], tenant: String, totals: WrittenTotals) throws(OutputError) {
        try sink.write(bytes)
        written[tenant, default: WrittenTotals()].add(totals)
    }

    public mutating func finish() throws(OutputError) { try sink.finish() }
}
