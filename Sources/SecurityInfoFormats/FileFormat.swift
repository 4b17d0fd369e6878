import SecurityInfo

/// The format of an input or output file, told by its name (`.csv`, `.xml`, `.jsonl`, each optionally `.gz`).
public enum FileFormat: String, Sendable, CaseIterable {
    case csv, xml
    /// A Graph export: JSON Lines, a user a line (GRAPH.md §1).
    case jsonl

    /// The format a file name says, or `nil` for any other name.
    public init?(fileName: String) {
        var name = fileName.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if name.hasSuffix(".csv") {
            self = .csv
        } else if name.hasSuffix(".xml") {
            self = .xml
        } else if name.hasSuffix(".jsonl") {
            self = .jsonl
        } else {
            return nil
        }
    }

    /// The names a file may have, for messages.
    public static let names = ".csv, .xml or .jsonl, each optionally .gz"
}
