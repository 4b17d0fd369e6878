import SecurityInfo

/// Opens the readers and writers for a path, whatever its format and compression: the engine's one door to the
/// formats.
public enum FormatRegistry {
    /// The default of `--max-input-bytes`, per input file, after decompression: 2 GiB. The largest real tenants
    /// hold a few million users; 2 million users with 3–4 methods each is about 0.5 GB of CSV and 1 GB of XML, so
    /// this leaves room, while a gzip bomb stops at the limit, in the memory of one chunk.
    public static let defaultMaximumInputBytes = 2 << 30

    /// Tells a file's format (by its name) and compression (by its magic number, not its name).
    public static func describe(path: String) throws(InputError) -> FileDescription {
        try describe(try InputFile(path: path))
    }

    /// As `describe(path:)`, from the file's own first bytes, which its reader then reads as usual. A name that
    /// says no format is refused before any byte is parsed as the wrong one.
    public static func describe(_ file: InputFile) throws(InputError) -> FileDescription {
        guard let format = FileFormat(fileName: file.path) else {
            throw InputError(file: file.path, "the name says no format: name it \(FileFormat.names)")
        }
        return FileDescription(format: format, isCompressed: try file.peek(2) == gzipMagic)
    }

    /// - Parameter confirming: `nil` on a first reading; on a second, the users the first left unconfirmed as
    ///   repeats.
    public static func exportReader(
        _ file: InputFile, maximumBytes: Int = defaultMaximumInputBytes, confirming: Set<String>? = nil
    ) throws(InputError) -> any ExportReader {
        let (format, source) = try open(file, maximumBytes: maximumBytes)
        switch format {
        case .csv: return try CSVExportReader(source: source, confirming: confirming)
        case .xml: return try XMLExportReader(source: source, confirming: confirming)
        case .jsonl: return GraphExportReader(source: source, confirming: confirming)
        }
    }

    public static func exportReader(
        path: String, maximumBytes: Int = defaultMaximumInputBytes, confirming: Set<String>? = nil
    ) throws(InputError) -> any ExportReader {
        try exportReader(try InputFile(path: path), maximumBytes: maximumBytes, confirming: confirming)
    }

    /// The export cut into chunks of whole users for workers to parse (`ExportChunk`); `confirming` as for
    /// `exportReader`.
    public static func exportChunks(
        _ file: InputFile, maximumBytes: Int = defaultMaximumInputBytes, confirming: Set<String>? = nil
    ) throws(InputError) -> any ExportChunkReader {
        let (format, source) = try open(file, maximumBytes: maximumBytes)
        switch format {
        case .csv: return try CSVExportChunkReader(source: source, confirming: confirming)
        case .xml: return try XMLExportChunkReader(source: source, confirming: confirming)
        case .jsonl: return GraphExportChunkReader(source: source, confirming: confirming)
        }
    }

    public static func exportChunks(
        path: String, maximumBytes: Int = defaultMaximumInputBytes, confirming: Set<String>? = nil
    ) throws(InputError) -> any ExportChunkReader {
        try exportChunks(try InputFile(path: path), maximumBytes: maximumBytes, confirming: confirming)
    }

    /// Reads an export a second time to confirm or clear the users its first reading left unconfirmed as
    /// repeated (`ExportReader.unconfirmedRepeats`); throws when one is a real repeat. Does nothing when none is.
    public static func confirmRepeats(_ unconfirmed: Set<String>, path: String, maximumBytes: Int) throws(InputError) {
        guard !unconfirmed.isEmpty else { return }
        var reader = try exportReader(path: path, maximumBytes: maximumBytes, confirming: unconfirmed)
        while try reader.next() != nil {}
    }

    /// A writer for an export in the given form; compressed output goes through gzip on its way to `sink`.
    public static func exportWriter(_ description: FileDescription, path: String, sink: any ByteSink)
        throws(OutputError) -> any ExportWriter
    {
        let sink = try outputSink(description, path: path, sink: sink)
        switch description.format {
        case .csv: return try CSVExportWriter(sink: sink)
        case .xml: return try XMLExportWriter(sink: sink, path: path)
        case .jsonl: return GraphExportWriter(sink: sink, path: path)
        }
    }

    public static func changeFile(_ file: InputFile, maximumBytes: Int = defaultMaximumInputBytes)
        throws(InputError) -> ChangeFile
    {
        let (format, source) = try open(file, maximumBytes: maximumBytes)
        switch format {
        case .csv: return try CSVChangeFileReader.read(source: source)
        case .xml: return try XMLChangeFileReader.read(source: source)
        case .jsonl: throw InputError(file: file.path, "a change file is CSV or XML, not JSON Lines")
        }
    }

    public static func changeFile(path: String, maximumBytes: Int = defaultMaximumInputBytes) throws(InputError)
        -> ChangeFile
    {
        try changeFile(try InputFile(path: path), maximumBytes: maximumBytes)
    }

    /// Writes a change file in the given form (for `secinfo convert`).
    public static func writeChangeFile(
        _ file: ChangeFile, _ description: FileDescription, path: String, sink: any ByteSink
    )
        throws(OutputError)
    {
        if description.format == .jsonl {
            throw OutputError(path: path, "a change file is written as CSV or XML, not JSON Lines")
        }
        let sink = try outputSink(description, path: path, sink: sink)
        switch description.format {
        case .csv: try ChangeFileWriter.writeCSV(file, to: sink)
        case .xml: try ChangeFileWriter.writeXML(file, to: sink, path: path)
        case .jsonl: break
        }
    }

    /// Whether a file holds a change file rather than an export: a CSV header with an `operation` column, or an
    /// XML root `<securityInfoChanges>` (a Graph export is never a change file).
    public static func holdsChanges(path: String) throws(InputError) -> Bool {
        let (format, source) = try open(try InputFile(path: path), maximumBytes: defaultMaximumInputBytes)
        switch format {
        case .xml:
            let xml = try XMLReader(source: source)
            while try xml.read() {
                if xml.kind == .element { return xml.name == "securityInfoChanges" }
            }
            return false
        case .csv:
            var csv = CSVReader(source: source)
            let header = try csv.next()?.fields ?? []
            return header.contains { $0.trimmingWhitespace.lowercased() == "operation" }
        case .jsonl:
            return false
        }
    }

    /// The file's format, and its bytes as that format reads them.
    private static func open(_ file: InputFile, maximumBytes: Int) throws(InputError)
        -> (format: FileFormat, source: any ByteSource)
    {
        // Described first, from the file's own first bytes, before any reader takes them.
        let format = try describe(file).format
        return (format, try openSource(file, maximumBytes: maximumBytes))
    }

    /// The file's bytes as its format reads them: inflated when gzip, and never more than `maximumBytes`.
    public static func openSource(_ file: InputFile, maximumBytes: Int) throws(InputError) -> any ByteSource {
        if try file.peek(2) == gzipMagic {
            return try GzipSource(source: file, maximumBytes: maximumBytes)
        }
        return LimitedByteSource(source: file, maximumBytes: maximumBytes)
    }

    private static func outputSink(_ description: FileDescription, path: String, sink: any ByteSink)
        throws(OutputError) -> any ByteSink
    {
        description.isCompressed ? try GzipSink(destination: sink, path: path) : sink
    }
}
