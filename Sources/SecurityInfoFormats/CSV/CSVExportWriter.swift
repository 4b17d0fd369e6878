import SecurityInfo

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

    public mutating func write(encoded users: EncodedUsers, tenant: String, totals: WrittenTotals) throws(OutputError) {
        try users.forEachRun { (bytes) throws(OutputError) in try sink.write(bytes) }
        written[tenant, default: WrittenTotals()].add(totals)
    }

    public mutating func finish() throws(OutputError) { try sink.finish() }
}
