import SecurityInfo

/// Reads a Graph export (GRAPH.md §1) as a stream of users, a line each, checking each as it goes.
public struct GraphExportReader: ExportReader {
    private let source: any ByteSource
    /// Read and not yet parsed: whole lines, and the start of the next.
    private var buffer: [UInt8] = []
    private var line = 1
    private var isAtFileStart = true
    private var isAtEnd = false
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)
    private var records: [ExportRecord] = []
    private var nextRecord = 0
    private let runs: UserRunIndex
    private let maximumLineBytes: Int

    public var path: String { source.path }
    public var unconfirmedRepeats: Set<String> { runs.unconfirmed }

    /// - Parameter confirming: `nil` on a first reading; on a second, the users the first left unconfirmed.
    public init(
        source: any ByteSource, confirming: Set<String>? = nil, maximumLineBytes: Int? = nil
    ) {
        self.source = source
        self.maximumLineBytes = maximumLineBytes ?? ChunkSizes.graph.maximum
        runs = UserRunIndex(confirming: confirming)
    }

    public mutating func next() throws(InputError) -> ExportRecord? {
        while nextRecord == records.count {
            guard !isAtEnd || !buffer.isEmpty else { return nil }
            try readLines()
        }
        defer { nextRecord += 1 }
        let record = records[nextRecord]
        if let earlier = runs.startRun(tenant: record.tenant, user: record.user.key, line: record.line) {
            throw Self.repeated(name: record.user.name, path: path, line: record.line, earlierLine: earlier)
        }
        return record
    }

    /// Reads on to the next line break (or the end) and parses the whole lines read.
    private mutating func readLines() throws(InputError) {
        (records, nextRecord) = ([], 0)
        var searchFrom = 0
        while !isAtEnd {
            if buffer[searchFrom...].contains(0x0A) { break }
            searchFrom = buffer.count
            guard buffer.count <= maximumLineBytes else {
                throw GraphExportChunkReader.lineTooLong(
                    path, line, limit: ChunkSizes(target: 1, maximum: maximumLineBytes).maximumText)
            }
            do { isAtEnd = try source.readAppending(to: &buffer, through: &readBuffer) } catch {
                var error = error
                if error.line == nil { error.line = line }
                throw error
            }
        }
        let end = isAtEnd ? buffer.count : buffer.lastIndex(of: 0x0A)! + 1
        let whole = Array(buffer[..<end])
        buffer.removeFirst(end)
        var lines = GraphLines(whole, line: line, isFileStart: isAtFileStart)
        isAtFileStart = false
        while let (span, number) = lines.next() {
            records.append(try GraphUserLine.read(whole, span: span, line: number, path: path))
        }
        line += whole.count { $0 == 0x0A }
    }

    static func repeated(name: String, path: String, line: Int, earlierLine: Int) -> InputError {
        InputError(file: path, line: line, column: 1, "user '\(name)' appears again (first at line \(earlierLine))")
    }
}
