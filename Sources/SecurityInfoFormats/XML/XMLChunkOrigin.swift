/// Where a chunk of an XML export sits in its file. A chunk is parsed as a document of its own: the start tags of
/// the elements open around it come first (its prefix, on one line), the end tags of those still open after it
/// last; the positions libxml2 gives in that document are moved back to the file's.
struct XMLChunkOrigin: Sendable {
    /// The line the chunk's own bytes begin on, and the characters before them on that line, as `XMLByteScanner`
    /// counts them (CR, LF and CRLF each a line break).
    var line = 1
    var column = 0
    /// The same as libxml2 counts them for the positions it gives: only LF breaks a line.
    var parserLine = 1
    var parserColumn = 0
    /// The bytes (ASCII, no line break) written before the chunk's own.
    var prefixLength = 0

    static let wholeDocument = XMLChunkOrigin()

    /// The file's line of a line libxml2 gives.
    func fileLine(_ documentLine: Int) -> Int { documentLine + parserLine - 1 }

    /// The file's column of a column libxml2 gives.
    func fileColumn(_ documentColumn: Int, onLine documentLine: Int) -> Int {
        documentLine == 1 ? documentColumn - prefixLength + parserColumn : documentColumn
    }

    /// The root's and the tenant's names and lines, as libxml2 counts them, when they are the prefix.
    var prefixElements: [(name: String, line: Int)] = []

    /// libxml2 names an element's start line in these messages ("Opening and ending tag mismatch: user line 3 and
    /// tenant"), as the document's: moved to the file's, and for an element of the prefix (on the document's first
    /// line) its own line in the file.
    func fileMessage(_ message: String) -> String {
        guard parserLine != 1 || !prefixElements.isEmpty else { return message }
        let patterns = [
            "Opening and ending tag mismatch: ", "Premature end of data in tag ", "Couldn't find end of Start Tag ",
        ]
        guard let pattern = patterns.first(where: message.hasPrefix) else { return message }
        let words = message.dropFirst(pattern.count).split(
            separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard words.count == 3, words[1] == "line" else { return message }
        let rest = words[2]
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard let number = Int(digits) else { return message }
        let name = String(words[0])
        let line = number == 1 ? prefixElements.last { $0.name == name }?.line ?? fileLine(number) : fileLine(number)
        return pattern + name + " line " + String(line) + rest.dropFirst(digits.count)
    }
}
