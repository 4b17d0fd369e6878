import SecurityInfo
import Testing

@testable import SecurityInfoFormats

/// What the tests compare of a CSV record: `CSVRecord` itself is not `Equatable`.
struct ReadRecord: Equatable, CustomStringConvertible {
    var fields: [String]
    var lines: [Int]
    var columns: [Int]

    init(_ fields: [String], lines: [Int], columns: [Int]) {
        self.fields = fields
        self.lines = lines
        self.columns = columns
    }

    init(_ record: CSVRecord) {
        self.init(record.fields, lines: record.lines, columns: record.columns)
    }

    var description: String { "\(fields.debugDescription) lines \(lines) columns \(columns)" }
}

/// Reads every record of some bytes; `chunkSize` `nil` uses the reader's default.
func readCSV(bytes: [UInt8], chunkSize: Int? = nil, path: String = "test.csv") throws(InputError) -> [CSVRecord] {
    let source = MemoryByteSource(path: path, bytes: bytes)
    var reader = chunkSize.map { CSVReader(source: source, chunkSize: $0) } ?? CSVReader(source: source)
    var records: [CSVRecord] = []
    while let record = try reader.next() { records.append(record) }
    return records
}

func readCSV(_ text: String, chunkSize: Int? = nil, path: String = "test.csv") throws(InputError) -> [CSVRecord] {
    try readCSV(bytes: Array(text.utf8), chunkSize: chunkSize, path: path)
}

/// The fields of every record of a text.
func readFields(_ text: String, chunkSize: Int? = nil) throws(InputError) -> [[String]] {
    try readCSV(text, chunkSize: chunkSize).map(\.fields)
}

/// Reads a whole CSV export.
func readExport(_ text: String, path: String = "export.csv") throws(InputError) -> [ExportRecord] {
    var reader = try CSVExportReader(source: MemoryByteSource(path: path, text: text))
    var records: [ExportRecord] = []
    while let record = try reader.next() { records.append(record) }
    return records
}

/// Writes records through `CSVExportWriter` and returns the text and the writer's totals.
func writeExport(_ records: [ExportRecord]) throws(OutputError) -> (text: String, written: [String: WrittenTotals]) {
    let sink = MemoryByteSink()
    var writer = try CSVExportWriter(sink: sink)
    for record in records { try writer.write(record) }
    try writer.finish()
    return (sink.text, writer.written)
}

/// Reads a CSV change file.
func readChangeFile(_ text: String, path: String = "changes.csv") throws(InputError) -> ChangeFile {
    try CSVChangeFileReader.read(source: MemoryByteSource(path: path, text: text))
}

extension Summarizing {
    /// Every tenant under the default policy, no user named by a change.
    static var everyUser: Summarizing { Summarizing(policy: { _ in TenantPolicy() }, namesUser: { _, _, _ in false }) }
}

extension ExportChunk {
    /// A user kept as bytes, decoded from its own bytes by the format's reader: what the full reading gives of it.
    func decodedForTests(_ user: SummarizedUser) throws(InputError) -> ExportRecord {
        switch content {
        case .csv(let bytes, _, let layout, _):
            var reader = CSVExportReader(
                chunk: CSVReader(bytes: Array(bytes[user.encoded]), path: layout.path, firstLine: user.line),
                layout: layout)
            guard let record = try reader.next() else { throw InputError(file: "", "no user in the bytes") }
            return record
        default:
            throw InputError(file: "", "not a CSV chunk")
        }
    }
}
