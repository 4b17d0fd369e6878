import SecurityInfo

/// Writes a Graph export: a line per user, LF line ends, no header (GRAPH.md §1).
public struct GraphExportWriter: ExportWriter {
    private let sink: any ByteSink
    public let encoder: any ExportEncoder
    public private(set) var written: [String: WrittenTotals] = [:]

    public init(sink: any ByteSink, path: String) {
        self.sink = sink
        encoder = GraphExportEncoder(path: path)
    }

    public mutating func write(encoded users: EncodedUsers, tenant: String, totals: WrittenTotals) throws(OutputError) {
        try users.forEachRun { (bytes) throws(OutputError) in try sink.write(bytes) }
        written[tenant, default: WrittenTotals()].add(totals)
    }

    public mutating func finish() throws(OutputError) { try sink.finish() }
}
