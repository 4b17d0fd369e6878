import SecurityInfo

/// Reads a CSV change file whole: change files are small next to exports, and the batch needs every change of a
/// user before it meets that user. Two rows with one non-empty id are an input error.
public enum CSVChangeFileReader {
    public static func read(source: any ByteSource) throws(InputError) -> ChangeFile {
        var csv = CSVReader(source: source)
        guard let header = try csv.next() else {
            throw InputError(file: source.path, line: 1, column: 1, "the file is empty: expected a header row")
        }
        let columns = try ColumnIndex(header: header, path: source.path, required: ChangeFile.requiredColumns)
        var rows = ChangeRows(header: header.fields)
        var lineOfID: [String: Int] = [:]
        while let record = try csv.next() {
            try columns.checkWidth(of: record, path: source.path)
            let changeID = String(columns.field("change_id", in: record).trimmingWhitespace)
            if !changeID.isEmpty {
                if let earlier = lineOfID[changeID] {
                    let location = columns.location(of: "change_id", in: record)
                    throw InputError(
                        file: source.path, line: location.line, column: location.column,
                        "change id '\(ContactMask.echoed(identity: changeID))' is used again (first at line \(earlier))"
                    )
                }
                lineOfID[changeID] = record.line
            }
            rows.append(fields: record.fields, line: record.line)
        }
        return ChangeFile(path: source.path, rows: rows)
    }
}
