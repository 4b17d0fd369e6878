import SecurityInfo

/// Cuts a Graph export into chunks of whole lines (a user each) for the workers to parse: past `chunkBytes`, a chunk
/// ends at the next line break. A JSON string holds no raw line break, so only the bytes need looking at.
struct GraphExportChunkReader: ExportChunkReader {

    private let source: any ByteSource
    private let check: ExportRunCheck
    private let sizes: ChunkSizes
    /// Bytes read and not yet handed out; they start a line, on `pendingLine`.
    private var pending: [UInt8] = []
    private var pendingLine = 1
    private var isAtFileStart = true
    private var isAtEnd = false
    /// `pending[..<scanned]` holds no line break past `chunkBytes`.
    private var scanned = 0
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)

    var path: String { source.path }
    var runCheck: ExportRunCheck? { check }
    var unconfirmedRepeats: Set<String> { check.unconfirmed }

    init(
        source: any ByteSource, confirming: Set<String>?, chunkBytes: Int = ChunkSizes.graph.target,
        maximumChunkBytes: Int = ChunkSizes.graph.maximum
    ) {
        self.source = source
        sizes = ChunkSizes(target: chunkBytes, maximum: maximumChunkBytes)
        let path = source.path
        check = ExportRunCheck(confirming: confirming) { name, line, _, earlier in
            GraphExportReader.repeated(name: name, path: path, line: line, earlierLine: earlier)
        }
    }

    mutating func next() throws(InputError) -> ExportChunk? {
        while true {
            let from = max(scanned, min(sizes.target, pending.count))
            if pending.count > sizes.target, let lineFeed = pending[from...].firstIndex(of: 0x0A) {
                return emit(upTo: lineFeed + 1, failure: nil)
            }
            scanned = pending.count
            if isAtEnd { return pending.isEmpty ? nil : emit(upTo: pending.count, failure: nil) }
            if pending.count >= sizes.maximum {
                // A line that runs this long is refused as such; the whole lines before it go first.
                guard let lastLineFeed = pending.lastIndex(of: 0x0A) else {
                    throw Self.lineTooLong(path, pendingLine, limit: sizes.maximumText)
                }
                return emit(upTo: lastLineFeed + 1, failure: nil)
            }
            do { isAtEnd = try source.readAppending(to: &pending, through: &readBuffer) } catch {
                // The whole lines read before the error go first, with the error after them.
                var error = error
                isAtEnd = true
                guard let lastLineFeed = pending.lastIndex(of: 0x0A) else {
                    if error.line == nil { error.line = pendingLine }
                    throw error
                }
                if error.line == nil { error.line = pendingLine + pending[...lastLineFeed].count { $0 == 0x0A } }
                let chunk = emit(upTo: lastLineFeed + 1, failure: error)
                pending.removeAll()
                return chunk
            }
        }
    }

    private mutating func emit(upTo cut: Int, failure: InputError?) -> ExportChunk {
        let bytes = Array(pending[..<cut])
        let chunk = ExportChunk(
            content: .graph(
                bytes: bytes, firstLine: pendingLine, isFileStart: isAtFileStart, path: path, failure: failure))
        pendingLine += bytes.withUnsafeBufferPointer { $0.occurrences(of: 0x0A) }
        pending.removeFirst(cut)
        (scanned, isAtFileStart) = (0, false)
        return chunk
    }

    /// The users of one chunk (`ExportChunk.read()`), on a worker: up to the first line that fails, and its error.
    /// - Parameter summarizing: given to keep users no change names as their lines (`GraphLineSummary`).
    static func users(
        in bytes: [UInt8], firstLine: Int, isFileStart: Bool, path: String, failure: InputError?,
        summarizing: Summarizing?
    ) -> ExportChunk.Users {
        var users = ExportChunk.Users()
        users.bytes = bytes
        var lines = GraphLines(bytes, line: firstLine, isFileStart: isFileStart)
        var tenant: (name: String, policy: TenantPolicy)?
        // One tape for every line: a line no change names is summarised from it with nothing made per value.
        var tape = JSONTape()
        do throws(InputError) {
            while let (span, line) = lines.next() {
                try JSONReader.read(bytes, span: span, path: path, firstLine: line, into: &tape)
                if let summarizing,
                    let user = GraphLineSummary.read(
                        tape, bytes: bytes, span: span, line: line, summarizing: summarizing, tenant: &tenant)
                {
                    users.users.append(.summarized(user))
                } else {
                    let document = JSONReader.document(of: tape, bytes: bytes, span: span, path: path, firstLine: line)
                    users.users.append(.decoded(try GraphUserLine.read(document, line: line)))
                }
            }
            users.failure = failure
        } catch {
            users.failure = error
        }
        return users
    }

    static func lineTooLong(_ path: String, _ line: Int, limit: String) -> InputError {
        InputError(
            file: path, line: line, column: 1,
            "a line runs past \(limit): no user's line is that long (secinfo hands a worker at most \(limit))")
    }
}
