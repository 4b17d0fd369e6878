import SecurityInfo

/// Writes a change file in either format, for `secinfo convert`.
public enum ChangeFileWriter {
    public static func writeCSV(_ file: ChangeFile, to sink: any ByteSink) throws(OutputError) {
        var csv = CSVWriter(sink: sink)
        try csv.write(ChangeFile.columns + file.extraColumns)
        for row in file.rows { try csv.write(file.changeFileFields(of: row)) }
        try sink.finish()
    }

    /// The XML form has the eight change-file attributes only: extra CSV columns do not go across.
    public static func writeXML(_ file: ChangeFile, to sink: any ByteSink, path: String) throws(OutputError) {
        var bytes = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<securityInfoChanges version=\"1\">\n".utf8)
        for row in file.rows {
            bytes.append(contentsOf: "  <change".utf8)
            for (attribute, value) in zip(XMLChangeFileReader.attributes, file.changeFileFields(of: row))
            where !value.isEmpty {
                bytes.append(contentsOf: " \(attribute)=\"".utf8)
                try XMLEscaping.append(value, to: &bytes, inAttribute: true, path: path)
                bytes.append(UInt8(ascii: "\""))
            }
            bytes.append(contentsOf: "/>\n".utf8)
            if bytes.count > 1 << 16 {
                try sink.write(bytes)
                bytes.removeAll(keepingCapacity: true)
            }
        }
        bytes.append(contentsOf: "</securityInfoChanges>\n".utf8)
        try sink.write(bytes)
        try sink.finish()
    }
}
