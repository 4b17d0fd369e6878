import SecurityInfo

/// Reads an XML change file (SPEC.md): `<securityInfoChanges version="1"><change id tenant user operation method
/// methodId value expect/>`. Each change becomes a row in change-file form, so reports treat both formats alike.
public enum XMLChangeFileReader {
    /// The XML attribute of each change-file column, in `ChangeFile.columns` order.
    static let attributes = ["id", "tenant", "user", "operation", "method", "methodId", "value", "expect"]

    public static func read(source: any ByteSource) throws(InputError) -> ChangeFile {
        let xml = try XMLReader(source: source)
        var rows = ChangeRows(header: ChangeFile.columns)
        var lineOfID: [String: Int] = [:]
        var sawRoot = false
        while try xml.read() {
            switch xml.kind {
            case .element where xml.depth == 0:
                guard xml.name == "securityInfoChanges" else {
                    throw xml.error("the root element is <\(xml.name)>, not <securityInfoChanges>")
                }
                let version = try XMLAttributes.checked(of: xml, allowed: ["version"], required: ["version"])["version"]
                guard version == "1" else {
                    throw xml.error("unsupported version '\(version!)'")
                }
                sawRoot = true
            case .element where xml.depth == 1 && xml.name == "change":
                let (line, column) = (xml.line, xml.column)
                let values = try XMLAttributes.checked(of: xml, allowed: attributes, required: [])
                if !xml.isEmptyElement { try skipEmptyContent(of: xml) }
                let fields = attributes.map { values[$0] ?? "" }
                let changeID = String(fields[0].trimmingWhitespace)
                if !changeID.isEmpty {
                    if let earlier = lineOfID[changeID] {
                        throw InputError(
                            file: xml.path, line: line, column: column,
                            "change id '\(ContactMask.echoed(identity: changeID))' is used again (first at line \(earlier))"
                        )
                    }
                    lineOfID[changeID] = line
                }
                rows.append(fields: fields, line: line)
            case .element:
                throw xml.error("unexpected element <\(xml.name)> here")
            case .text, .whitespace, .other:
                try xml.checkBetweenElements()
            case .endElement:
                break
            }
        }
        guard sawRoot else { throw InputError(file: source.path, line: 1, column: 1, "the document is empty") }
        return ChangeFile(path: source.path, rows: rows)
    }

    /// A `<change>` written with a closing tag may hold white space only.
    private static func skipEmptyContent(of xml: XMLReader) throws(InputError) {
        while try xml.read() {
            switch xml.kind {
            case .endElement: return
            case .whitespace: continue
            case .text where xml.value.allSatisfy(\.isWhitespace): continue
            default: throw xml.error("a <change> holds attributes only")
            }
        }
    }
}
