/// One CSV record: its fields, and where each begins, for messages that point at the cell.
public struct CSVRecord: Sendable {
    public var fields: [String]
    /// The line each field starts on (a quoted field may span lines).
    public var lines: [Int]
    /// The column each field starts at, in characters from 1.
    public var columns: [Int]

    public var line: Int { lines.first ?? 0 }
}
