import SecurityInfo

/// Writes an XML tenant export as a stream, a `<tenant>` element for each run of one tenant's users.
public struct XMLExportWriter: ExportWriter {
    private let sink: any ByteSink
    private let path: String
    private var openTenant: String?
    public let encoder: any ExportEncoder
    public private(set) var written: [String: WrittenTotals] = [:]

    public init(sink: any ByteSink, path: String) throws(OutputError) {
        self.sink = sink
        self.path = path
        encoder = XMLExportEncoder(path: path)
        try sink.write(Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<securityInfoExport version=\"1\">\n".utf8))
    }

    public mutating func write(encoded users: EncodedUsers, tenant: String, totals: WrittenTotals) throws(OutputError) {
        if openTenant != tenant {
            var framing = Array((openTenant == nil ? "" : "  </tenant>\n").utf8)
            framing.append(contentsOf: "  <tenant id=\"".utf8)
            try XMLEscaping.append(tenant, to: &framing, inAttribute: true, path: path)
            framing.append(contentsOf: "\">\n".utf8)
            try sink.write(framing)
            openTenant = tenant
        }
        try users.forEachRun { (bytes) throws(OutputError) in try sink.write(bytes) }
        written[tenant, default: WrittenTotals()].add(totals)
    }

    public mutating func finish() throws(OutputError) {
        try sink.write(Array(((openTenant == nil ? "" : "  </tenant>\n") + "</securityInfoExport>\n").utf8))
        try sink.finish()
    }
}
