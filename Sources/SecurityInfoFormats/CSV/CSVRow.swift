/// One record's fields as bytes, in storage a reader reuses from record to record (`CSVReader.nextRow`): no
/// allocation per record or field. Fields are checked to be UTF-8 when read.
public struct CSVRow {
    /// The fields' bytes, one after another, quotes undone.
    var bytes: [UInt8] = []
    /// Where each field ends in `bytes`.
    var ends: [Int] = []
    /// The line and column each field starts at.
    var lines: [Int] = []
    var columns: [Int] = []

    public init() {}

    var count: Int { ends.count }
    var line: Int { lines.first ?? 0 }

    func range(of field: Int) -> Range<Int> { (field == 0 ? 0 : ends[field - 1])..<ends[field] }

    /// A field as text (the reader checked it is UTF-8).
    func string(_ field: Int) -> String {
        bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[range(of: field)]), as: UTF8.self)
        }
    }

    /// Whether a field's bytes are exactly a text's.
    func field(_ field: Int, equals text: String) -> Bool {
        let range = range(of: field)
        var text = text
        return text.withUTF8 { utf8 in
            utf8.count == range.count
                && bytes.withUnsafeBufferPointer { $0[range].elementsEqual(utf8) }
        }
    }

    /// Calls `body` with a field's bytes.
    func withField<Result>(_ field: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range(of: field)])) }
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
        columns.removeAll(keepingCapacity: true)
    }
}
