import SecurityInfo

/// The format of an input or output file, told by its name (`.csv`, `.xml`, each optionally `.gz`).
public enum FileFormat: String, Sendable {
    case csv, xml

    /// The format a file name says, or `nil` for any other name.
    public init?(fileName: String) {
        var name = fileName.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if name.hasSuffix(".csv") {
            self = .csv
        } else if name.hasSuffix(".xml") {
            self = .xml
        } else {
            return nil
        }
    }
}
