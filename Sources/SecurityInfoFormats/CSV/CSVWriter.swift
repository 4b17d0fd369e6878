/// Writes RFC 4180 records with LF line ends, quoting a field only when it holds a comma, quote or line break.
public struct CSVWriter {
    private let sink: any ByteSink
    private var line: [UInt8] = []

    public init(sink: any ByteSink) { self.sink = sink }

    public mutating func write(_ fields: [String]) throws(OutputError) {
        line.removeAll(keepingCapacity: true)
        Self.append(fields, to: &line)
        try sink.write(line)
    }

    /// Appends one record, with its line break, to `line`: the encoding alone, for workers.
    public static func append(_ fields: [String], to line: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            appendField(field, to: &line)
        }
        // A record of one empty field is written `""`: a bare line break would read back as a blank line.
        if fields == [""] { line.append(contentsOf: [0x22, 0x22]) }
        line.append(0x0A)
    }

    /// Appends one field, quoted when it holds a comma, quote or line break; the caller writes the separators.
    public static func appendField(_ field: String, to line: inout [UInt8]) {
        var field = field
        field.withUTF8 { utf8 in
            if utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                line.append(0x22)
                for byte in utf8 {
                    if byte == 0x22 { line.append(0x22) }
                    line.append(byte)
                }
                line.append(0x22)
            } else {
                line.append(contentsOf: utf8)
            }
        }
    }
}
