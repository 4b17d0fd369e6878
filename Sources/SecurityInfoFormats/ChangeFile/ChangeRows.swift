public import SecurityInfo

/// The rows of a change file, held as the bytes of their fields: a row costs about its text and 12 bytes, where
/// `ChangeRow` values cost about 500 (a `String` each field twice over, an array each row). The change file is
/// held whole through a run and is what grows its memory with its size. Each row is made a `ChangeRow` again when
/// it is read; its request comes from its fields as the readers make it, so it is not held twice.
public struct ChangeRows: RandomAccessCollection, Sendable {
    public let header: [String]
    /// Where each of `ChangeFile.columns` is among the fields, as `ColumnIndex` finds it; `nil` when absent.
    private let positions: [Int?]
    /// Each row: its line, its number of fields, then each field's length and bytes (the numbers in LEB128).
    private var text: [UInt8] = []
    /// Where each row begins in `text`.
    private var rowStarts: [Int] = []
    /// The rows made elsewhere (generated, planned) whose request their fields do not give.
    private var requests: [Int: ChangeRequest] = [:]

    public init(header: [String]) {
        self.header = header
        var byName: [String: Int] = [:]
        for (index, name) in header.enumerated() { byName[String(name.trimmingWhitespace).lowercased()] = index }
        positions = ChangeFile.columns.map { byName[$0] }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { rowStarts.count }

    public subscript(row: Int) -> ChangeRow {
        let (line, fields) = read(row)
        return ChangeRow(request: requests[row] ?? request(fields: fields, line: line), fields: fields)
    }

    /// Appends a row read from a file: its request is what its fields give.
    public mutating func append(fields: [String], line: Int) {
        rowStarts.append(text.count)
        LEB128.append(line, to: &text)
        LEB128.append(fields.count, to: &text)
        for field in fields {
            LEB128.append(field.utf8.count, to: &text)
            text.append(contentsOf: field.utf8)
        }
    }

    /// Appends a row made elsewhere; its request is kept apart when its fields do not give it.
    public mutating func append(_ row: ChangeRow) {
        append(fields: row.fields, line: row.request.line)
        if request(fields: row.fields, line: row.request.line) != row.request { requests[count - 1] = row.request }
    }

    /// The request a row's fields give: id, tenant and user trimmed, the others as read.
    public func request(fields: [String], line: Int) -> ChangeRequest {
        func field(_ column: Int) -> String {
            guard let position = positions[column], position < fields.count else { return "" }
            return fields[position]
        }
        return ChangeRequest(
            line: line, changeID: String(field(0).trimmingWhitespace), tenant: String(field(1).trimmingWhitespace),
            user: String(field(2).trimmingWhitespace), operation: field(3), method: field(4), methodID: field(5),
            value: field(6), expect: field(7))
    }

    private func read(_ row: Int) -> (line: Int, fields: [String]) {
        text.withUnsafeBufferPointer { text in
            var position = rowStarts[row]
            let line = LEB128.read(text, at: &position)
            let fields = (0..<LEB128.read(text, at: &position)).map { _ in
                let length = LEB128.read(text, at: &position)
                defer { position += length }
                return String(
                    decoding: UnsafeBufferPointer(rebasing: text[position..<position + length]), as: UTF8.self)
            }
            return (line, fields)
        }
    }

    /// Gives back what the arrays grew beyond their rows, once the file is read.
    mutating func trimCapacity() {
        text = text.withUnsafeBufferPointer { Array($0) }
        rowStarts = rowStarts.withUnsafeBufferPointer { Array($0) }
    }
}
