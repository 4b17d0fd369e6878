/// The format of an input or output file, told by its name; compression is told by the bytes (magic number).
public enum FileFormat: String, Sendable {
    case csv, xml

    /// The format of a file name: `.csv`, `.xml`, each optionally `.gz`. `nil` for any other name.
    public init?(fileName: String) {
        let name = fileName.lowercased()
        if name.hasSuffix(".csv") || name.hasSuffix(".csv.gz") {
            self = .csv
        } else if name.hasSuffix(".xml") || name.hasSuffix(".xml.gz") {
            self = .xml
        } else {
            return nil
        }
    }
}

/// Opens the readers and writers for a path, whatever its format: the engine's one door to the formats.
public enum FormatRegistry {
    public static func exportReader(path: String) throws(InputError) -> any ExportReader {
        try CSVExportReader(source: try openSource(path: path))
    }

    public static func exportWriter(for inputPath: String, sink: any ByteSink) throws(OutputError) -> any ExportWriter {
        try CSVExportWriter(sink: sink)
    }

    public static func changeFile(path: String) throws(InputError) -> ChangeFile {
        try CSVChangeFileReader.read(source: try openSource(path: path))
    }

    /// Opens a file as its format's byte stream. XML and gzip come with the formats issue; until then they are
    /// refused plainly rather than misread.
    static func openSource(path: String) throws(InputError) -> any ByteSource {
        let source = try FileByteSource(path: path)
        var magic = [UInt8](repeating: 0, count: 2)
        let count = try magic.withUnsafeMutableBytes { (buffer) -> Result<Int, InputError> in
            do throws(InputError) { return .success(try source.read(into: buffer)) } catch { return .failure(error) }
        }.get()
        if count == 2 && magic == [0x1F, 0x8B] {
            throw InputError(file: path, line: 1, column: 1, "gzip-compressed input is not supported yet")
        }
        if FileFormat(fileName: path) == .xml {
            throw InputError(file: path, line: 1, column: 1, "XML input is not supported yet")
        }
        return try FileByteSource(path: path)
    }
}
