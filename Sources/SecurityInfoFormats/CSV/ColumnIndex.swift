import SecurityInfo

/// Where each named column sits in a header row: columns are found by name, in any order, and extra columns are
/// ignored. Names compare without regard to case and surrounding spaces.
struct ColumnIndex {
    let names: [String]
    private let positions: [String: Int]

    init(header: CSVRecord, path: String, required: [String]) throws(InputError) {
        names = header.fields
        var positions: [String: Int] = [:]
        for (index, name) in header.fields.enumerated() {
            let key = String(name.trimmingWhitespace).lowercased()
            if positions[key] != nil {
                throw InputError(
                    file: path, line: header.lines[index], column: header.columns[index],
                    "column '\(name)' appears twice")
            }
            positions[key] = index
        }
        for name in required where positions[name] == nil {
            throw InputError(
                file: path, line: header.line, column: 1,
                "missing column '\(name)' (the header needs \(required.joined(separator: ", ")))")
        }
        self.positions = positions
    }

    /// A named column, found once per file so that reading a cell costs no lookup by name.
    struct Column {
        let name: String
        /// `nil` when the header lacks this (optional) column.
        let position: Int?
    }

    func column(_ name: String) -> Column { Column(name: name, position: positions[name]) }

    /// The field of a column in a record, or empty when the header has no such column.
    func field(_ column: Column, in record: CSVRecord) -> String {
        column.position.map { record.fields[$0] } ?? ""
    }

    func field(_ name: String, in record: CSVRecord) -> String { field(column(name), in: record) }

    /// Where a column's cell in a record starts, for messages.
    func location(of column: Column, in record: CSVRecord) -> (line: Int, column: Int) {
        guard let index = column.position else { return (record.line, 1) }
        return (record.lines[index], record.columns[index])
    }

    func location(of name: String, in record: CSVRecord) -> (line: Int, column: Int) {
        location(of: column(name), in: record)
    }

    /// The field of a column in a row, or empty when the header has no such column.
    func field(_ column: Column, in row: CSVRow) -> String { column.position.map { row.string($0) } ?? "" }

    /// Where a column's cell in a row starts, for messages.
    func location(of column: Column, in row: CSVRow) -> (line: Int, column: Int) {
        guard let index = column.position else { return (row.line, 1) }
        return (row.lines[index], row.columns[index])
    }

    /// Checks a row has exactly the header's number of fields.
    func checkWidth(of row: CSVRow, path: String) throws(InputError) {
        guard row.count != names.count else { return }
        let column = row.count > names.count ? row.columns[names.count] : row.columns.last ?? 1
        let line = row.count > names.count ? row.lines[names.count] : row.lines.last ?? row.line
        throw InputError(
            file: path, line: line, column: column,
            "expected \(names.count) fields as in the header, found \(row.count)")
    }

    /// Checks a record has exactly the header's number of fields.
    func checkWidth(of record: CSVRecord, path: String) throws(InputError) {
        guard record.fields.count != names.count else { return }
        let column = record.fields.count > names.count ? record.columns[names.count] : record.columns.last ?? 1
        let line = record.fields.count > names.count ? record.lines[names.count] : record.lines.last ?? record.line
        throw InputError(
            file: path, line: line, column: column,
            "expected \(names.count) fields as in the header, found \(record.fields.count)")
    }
}
