import SecurityInfo

/// Reads a CSV tenant export (SPEC.md) as a stream of users, checking each row as it goes.
public struct CSVExportReader: ExportReader {
    private var csv: CSVReader
    private let columns: ColumnIndex
    private let tenantColumn, userColumn, adminColumn, defaultMethodColumn, methodColumn, methodIDColumn,
        valueColumn: ColumnIndex.Column
    private var pending: CSVRecord?
    /// Tells a user whose rows are apart, in bounded memory.
    private let runs: UserRunIndex

    public var path: String { csv.path }

    public var unconfirmedRepeats: Set<String> { runs.unconfirmed }

    /// - Parameter confirming: `nil` on a first reading; on a second, the users the first left unconfirmed
    ///   (`unconfirmedRepeats`).
    public init(source: any ByteSource, confirming: Set<String>? = nil) throws(InputError) {
        runs = UserRunIndex(confirming: confirming)
        csv = CSVReader(source: source)
        guard let header = try csv.next() else {
            throw InputError(file: source.path, line: 1, column: 1, "the file is empty: expected a header row")
        }
        columns = try ColumnIndex(header: header, path: source.path, required: ExportColumn.required)
        tenantColumn = columns.column(ExportColumn.tenant)
        userColumn = columns.column(ExportColumn.user)
        adminColumn = columns.column(ExportColumn.admin)
        defaultMethodColumn = columns.column(ExportColumn.defaultMethod)
        methodColumn = columns.column(ExportColumn.method)
        methodIDColumn = columns.column(ExportColumn.methodID)
        valueColumn = columns.column(ExportColumn.value)
    }

    public mutating func next() throws(InputError) -> ExportRecord? {
        var next = pending
        pending = nil
        if next == nil { next = try readRecord() }
        guard let first = next else { return nil }
        let tenant = columns.field(tenantColumn, in: first)
        guard TenantID.isValid(tenant) else {
            throw error(
                at: tenantColumn, in: first,
                "tenant '\(tenant)' is not 1–64 of A-Z a-z 0-9 . _ - starting with a letter or digit")
        }
        let name = columns.field(userColumn, in: first)
        guard !name.trimmingWhitespace.isEmpty else {
            throw error(at: userColumn, in: first, "the user is empty")
        }
        var user = User(
            name: name, isAdmin: try admin(of: first), defaultMethod: try defaultMethod(of: first))
        let key = tenant + "\u{0}" + user.key
        if let earlier = runs.startRun(key: key, line: first.line) {
            throw error(
                at: userColumn, in: first, "the rows of user '\(name)' are apart: they began at line \(earlier)")
        }

        var rowCount = 0
        var record = first
        while true {
            rowCount += 1
            if record.line != first.line {
                guard try admin(of: record) == user.isAdmin else {
                    throw error(
                        at: adminColumn, in: record, "admin disagrees with the user's row at line \(first.line)")
                }
                guard try defaultMethod(of: record) == user.defaultMethod else {
                    throw error(
                        at: defaultMethodColumn, in: record,
                        "default_method disagrees with the user's row at line \(first.line)")
                }
            }
            if let method = try method(of: record) { user.methods.append(method) }
            guard let following = try readRecord() else { break }
            let followingUser = columns.field(userColumn, in: following)
            if columns.field(tenantColumn, in: following) != tenant
                || (followingUser != user.name && followingUser.lowercased() != user.key)
            {
                pending = following
                break
            }
            record = following
        }
        return ExportRecord(tenant: tenant, user: user, line: first.line, rowCount: rowCount)
    }

    private mutating func readRecord() throws(InputError) -> CSVRecord? {
        guard let record = try csv.next() else { return nil }
        try columns.checkWidth(of: record, path: path)
        return record
    }

    private func admin(of record: CSVRecord) throws(InputError) -> Bool {
        let text = columns.field(adminColumn, in: record)
        if text == "false" { return false }
        if text == "true" { return true }
        switch text.trimmingWhitespace.lowercased() {
        case "true": return true
        case "false", "": return false
        case let other: throw error(at: adminColumn, in: record, "admin is '\(other)': expected true or false")
        }
    }

    private func defaultMethod(of record: CSVRecord) throws(InputError) -> DefaultMethod {
        if let exact = DefaultMethod(rawValue: columns.field(defaultMethodColumn, in: record)) { return exact }
        let text = columns.field(defaultMethodColumn, in: record).trimmingWhitespace
        if text.isEmpty { return .none }
        guard let value = DefaultMethod(token: text) else {
            throw error(
                at: defaultMethodColumn, in: record,
                "default_method '\(text)' is not one of \(DefaultMethod.allCases.map(\.rawValue).joined(separator: " "))"
            )
        }
        return value
    }

    private func method(of record: CSVRecord) throws(InputError) -> MethodInstance? {
        let field = columns.field(methodColumn, in: record)
        // Most exports spell the token exactly: no trimming, no copy.
        if let kind = MethodKind(rawValue: field) {
            return MethodInstance(
                kind: kind, id: columns.field(methodIDColumn, in: record), value: columns.field(valueColumn, in: record)
            )
        }
        let token = field.trimmingWhitespace
        if token.isEmpty {
            // Nothing is dropped silently: a value without a method is a broken row, not an empty one.
            for column in [valueColumn, methodIDColumn] where !columns.field(column, in: record).isEmpty {
                throw error(at: column, in: record, "\(column.name) is set on a row without a method")
            }
            return nil
        }
        guard let kind = MethodKind(token: token) else {
            throw error(at: methodColumn, in: record, "unknown method '\(token)'")
        }
        return MethodInstance(
            kind: kind, id: columns.field(methodIDColumn, in: record),
            value: columns.field(valueColumn, in: record))
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
