import Glibc
import SecurityInfo

/// Cuts a CSV export after its header into chunks of about `chunkBytes` that end where a user ends.
///
/// Only the bytes are looked at: quotes are counted so that a line break inside a quoted field does not end a
/// record, and line breaks are counted so that each chunk knows the line it starts on. Past `chunkBytes`, each
/// record's tenant and user are read until one differs from the record before: the chunk ends there.
struct CSVExportChunkReader: ExportChunkReader {
    private static let quote = UInt8(ascii: "\""), lineFeed = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")

    private let source: any ByteSource
    private let layout: CSVExportLayout
    private let check: ExportRunCheck
    private let sizes: ChunkSizes
    /// Bytes read and not yet handed out; they start at a record's start, on `pendingLine`.
    private var pending: [UInt8]
    private var pendingLine: Int
    private var isAtEnd = false
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)
    /// The scan: `pending[..<scanned]` is scanned; quotes are open or not there; the record being scanned starts
    /// at `recordStart`; line breaks before both.
    private var scanned = 0
    private var inQuotes = false
    private var recordStart = 0
    private var linesScanned = 0
    private var linesBeforeRecord = 0
    /// Past `chunkBytes`: whether a record has been read, and its tenant and user (`nil` when it did not parse).
    private var hasPrevious = false
    private var previous: (tenant: String, name: String)?

    var path: String { layout.path }
    var runCheck: ExportRunCheck? { check }
    var unconfirmedRepeats: Set<String> { check.unconfirmed }

    /// - Parameter maximumChunkBytes: no user's rows run this long; an open quote can make them seem to.
    init(
        source: any ByteSource, confirming: Set<String>?, chunkBytes: Int = ChunkSizes.standard.target,
        maximumChunkBytes: Int = ChunkSizes.standard.maximum
    ) throws(InputError) {
        self.source = source
        sizes = ChunkSizes(target: chunkBytes, maximum: maximumChunkBytes)
        var csv = CSVReader(source: source)
        layout = try CSVExportLayout(header: &csv)
        (pending, pendingLine) = csv.takeReadAhead()
        let layout = layout
        check = ExportRunCheck(confirming: confirming) { name, line, column, earlier in
            layout.usersApart(name: name, line: line, column: column, earlierLine: earlier)
        }
    }

    mutating func next() throws(InputError) -> ExportChunk? {
        while true {
            if let (cut, lines) = scanForCut() { return emit(upTo: cut, lines: lines) }
            if isAtEnd { return pending.isEmpty ? nil : emit(upTo: pending.count, lines: linesScanned) }
            if scanned >= sizes.maximum {
                // No user's rows run this long (64 MiB). A quote left open hides the line ends after it: the chunk
                // goes as it is, in bounded memory, and its reader meets the quote where reading the file through
                // would, the user before it unfinished as then.
                if inQuotes { return emit(upTo: scanned, lines: linesScanned) }
                // Otherwise the chunk ends after its last whole row (a user cut apart there is refused by the run
                // check); a single row that runs this long is refused as such, not cut into a row of too few fields.
                if recordStart > 0 { return emit(upTo: recordStart, lines: linesBeforeRecord) }
                let limit = sizes.maximumText
                throw InputError(
                    file: source.path, line: pendingLine, column: 1,
                    "a row runs past \(limit): no row of an export is that long (secinfo hands a worker at most \(limit))"
                )
            }
            do { try readMore() } catch {
                // The whole records read before the error go first, with the error after them, as reading the
                // file through would meet them.
                isAtEnd = true
                guard recordStart > 0 else { throw error }
                let chunk = emit(upTo: recordStart, lines: linesBeforeRecord, failure: error)
                pending.removeAll()
                return chunk
            }
        }
    }

    private mutating func emit(upTo cut: Int, lines: Int, failure: InputError? = nil) -> ExportChunk {
        let chunk = ExportChunk(
            content: .csv(bytes: Array(pending[..<cut]), firstLine: pendingLine, layout: layout, failure: failure))
        pending.removeFirst(cut)
        pendingLine += lines
        scanned -= cut
        linesScanned -= lines
        // After a cut inside a record (an open quote), the scan goes on as if a record started at the cut.
        recordStart = max(recordStart - cut, 0)
        linesBeforeRecord = max(linesBeforeRecord - lines, 0)
        hasPrevious = false
        previous = nil
        return chunk
    }

    /// Scans on from where it stopped; returns where to cut and the line breaks before that, or `nil` when the
    /// bytes read so far hold no cut.
    private mutating func scanForCut() -> (cut: Int, lines: Int)? {
        var (scanned, inQuotes, recordStart) = (scanned, inQuotes, recordStart)
        var (linesScanned, linesBeforeRecord) = (linesScanned, linesBeforeRecord)
        var (hasPrevious, previous) = (hasPrevious, previous)
        var cut: (Int, Int)?
        let (isAtEnd, chunkBytes, layout) = (isAtEnd, sizes.target, layout)
        pending.withUnsafeBufferPointer { bytes in
            // No record ending before the chunk's size is looked at, so up to there only line ends and quotes count:
            // a stretch with neither quote nor CR is passed at once, to its last line feed (the byte loop over every
            // byte was 3 % of a CSV run's CPU, on the one reading thread).
            let stretchEnd = min(chunkBytes - 1, bytes.count)
            if !inQuotes && !hasPrevious && scanned < stretchEnd {
                var stretch = UnsafeBufferPointer(rebasing: bytes[scanned..<stretchEnd])
                for stop in [Self.quote, Self.carriageReturn] {
                    if let base = stretch.baseAddress, let found = memchr(base, Int32(stop), stretch.count) {
                        stretch = UnsafeBufferPointer(
                            start: base, count: base.distance(to: found.assumingMemoryBound(to: UInt8.self)))
                    }
                }
                if let lastLineFeed = stretch.lastIndex(of: Self.lineFeed) {
                    linesScanned += UnsafeBufferPointer(rebasing: stretch[...lastLineFeed]).occurrences(
                        of: Self.lineFeed)
                    scanned += lastLineFeed + 1
                    (recordStart, linesBeforeRecord) = (scanned, linesScanned)
                }
            }
            scanning: while scanned < bytes.count {
                let byte = bytes[scanned]
                var endsRecord = false
                if byte == Self.quote {
                    // A doubled quote inside a quoted field toggles twice: parity is all that matters.
                    inQuotes.toggle()
                } else if byte == Self.lineFeed {
                    linesScanned += 1
                    endsRecord = !inQuotes
                } else if byte == Self.carriageReturn {
                    // A CR alone ends a line (as CSVReader counts them); in CRLF the LF does.
                    if scanned + 1 == bytes.count && !isAtEnd { break scanning }
                    if scanned + 1 == bytes.count || bytes[scanned + 1] != Self.lineFeed {
                        linesScanned += 1
                        endsRecord = !inQuotes
                    }
                }
                scanned += 1
                guard endsRecord else { continue }

                let record = UnsafeBufferPointer(rebasing: bytes[recordStart..<scanned])
                let isBlank = record.allSatisfy { $0 == Self.lineFeed || $0 == Self.carriageReturn }
                if !isBlank && (hasPrevious || scanned >= chunkBytes) {
                    // A record that does not parse stays in the chunk before it, where the reader meets it as
                    // it would reading the file through; the next record starts a chunk.
                    let user = Self.user(of: record, layout: layout)
                    if hasPrevious, let user, !Self.isSameUser(previous, user) {
                        cut = (recordStart, linesBeforeRecord)
                    }
                    (hasPrevious, previous) = (true, user)
                }
                recordStart = scanned
                linesBeforeRecord = linesScanned
                if cut != nil { break scanning }
            }
        }
        (self.scanned, self.inQuotes, self.recordStart) = (scanned, inQuotes, recordStart)
        (self.linesScanned, self.linesBeforeRecord) = (linesScanned, linesBeforeRecord)
        (self.hasPrevious, self.previous) = (hasPrevious, previous)
        return cut
    }

    /// The tenant and user of one record, or `nil` when it does not parse (its chunk's parsing will say why).
    private static func user(of record: UnsafeBufferPointer<UInt8>, layout: CSVExportLayout)
        -> (tenant: String, name: String)?
    {
        var csv = CSVReader(bytes: Array(record), path: layout.path, firstLine: 1)
        guard let fields = try? csv.next(), fields.fields.count == layout.columns.names.count else { return nil }
        return (layout.columns.field(layout.tenant, in: fields), layout.columns.field(layout.user, in: fields))
    }

    /// Records of one user stay in one chunk; after a record that did not parse, a chunk ends.
    private static func isSameUser(_ a: (tenant: String, name: String)?, _ b: (tenant: String, name: String)) -> Bool {
        guard let a else { return false }
        return CSVExportLayout.isSameUser(tenant: a.tenant, name: a.name, asTenant: b.tenant, name: b.name)
    }

    private mutating func readMore() throws(InputError) {
        do {
            isAtEnd = try source.readAppending(to: &pending, through: &readBuffer)
        } catch {
            // A stream error (a size limit, say) is placed at the line the text had reached.
            var error = error
            if error.line == nil {
                // A CR last is not yet a line end: the LF that would make it one of CRLF may be what failed to come.
                let text = pending.last == Self.carriageReturn ? pending.dropLast() : pending[...]
                let lineStart = (text.lastIndex { $0 == Self.lineFeed || $0 == Self.carriageReturn } ?? -1) + 1
                error.line = pendingLine + linesScanned
                error.column = 1 + text[lineStart...].count { $0 & 0xC0 != 0x80 }
            }
            throw error
        }
    }
}
