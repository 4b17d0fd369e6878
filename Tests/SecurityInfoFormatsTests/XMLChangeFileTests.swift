import SecurityInfo
import Testing

@testable import SecurityInfoFormats

/// Reads an XML change file, `trickle` bytes per read when given.
func readXMLChanges(_ text: String, path: String = "changes.xml", trickle: Int? = nil) throws(InputError)
    -> ChangeFile
{
    try XMLChangeFileReader.read(source: memorySource(Array(text.utf8), path: path, trickle: trickle))
}

/// The XML change-file example of SPEC.md: one `<change>` whose attributes run over lines 2 and 3.
private let specExample = """
    <securityInfoChanges version="1">
      <change id="c1" tenant="contoso" user="alice@contoso.com" operation="edit" method="mobilePhone"
              value="+1 4255550199" expect="+1 4255550100"/>
    </securityInfoChanges>

    """

/// The CSV change-file example of SPEC.md.
private let specChangesCSV =
    "change_id,tenant,user,operation,method,method_id,value,expect\n"
    + "c1,contoso,alice@contoso.com,edit,mobilePhone,,+1 4255550199,+1 4255550100\n"
    + "c2,contoso,alice@contoso.com,set-default,,,sms,\n"
    + "c3,contoso,bob@contoso.com,require-reregister,,,,\n"

/// A change file with `lines` inside the root: the first of them is line 3.
private func changes(_ lines: String...) -> String {
    xmlDeclaration + "<securityInfoChanges version=\"1\">\n" + lines.map { $0 + "\n" }.joined()
        + "</securityInfoChanges>\n"
}

/// Pieces of awkward values: what CSV quotes, what XML escapes, the white space parsers normalise.
private let awkwardPieces = [
    "", ",", "\"", "\r", "\n", "\r\n", "\t", " ", "&", "<", ">", "'", "]]>", "&amp;", "a", "Z9", "é", "名前", "😀",
    "+1 425", "=SUM(A1)",
]

private func randomField(using generator: inout SeededGenerator) -> String {
    (0..<Int.random(in: 0...4, using: &generator)).map { _ in generator.pick(awkwardPieces) }.joined()
}

/// A CSV change file of seeded rows: columns in a shuffled order with an extra one, ids unique or empty.
private func randomCSVChangeFile(rows: Int, seed: UInt64) throws -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    let header = (ChangeFile.columns + ["ticket"]).shuffled(using: &generator)
    let sink = MemoryByteSink()
    var csv = CSVWriter(sink: sink)
    try csv.write(header)
    for index in 0..<rows {
        let row = header.map { column in
            switch column {
            case "change_id": generator.chance(0.2) ? "" : "c\(index)-" + randomField(using: &generator)
            case "operation": generator.pick(["add", "edit", "delete", "set-default", "require-reregister", "?"])
            default: randomField(using: &generator)
            }
        }
        try csv.write(row)
    }
    return sink.bytes
}

/// A request with its line set to 0, to compare what two files say apart from where they say it.
private func withoutLine(_ request: ChangeRequest) -> ChangeRequest {
    var request = request
    request.line = 0
    return request
}

@Suite("XML change file")
struct XMLChangeFileTests {
    @Test("every attribute maps to its ChangeRequest field and to `fields` in ChangeFile.columns order")
    func mapsAttributesToFields() throws {
        let text = changes(
            "  <change expect=\"old\" value=\"+1 4255550199\" methodId=\"m1\" method=\"mobilePhone\" operation=\"edit\""
                + " user=\"alice@contoso.com\" tenant=\"contoso\" id=\"c1\"/>")
        let file = try readXMLChanges(text, path: "in/changes.xml")
        #expect(file.path == "in/changes.xml")
        #expect(file.header == ChangeFile.columns)
        try #require(file.rows.count == 1)
        #expect(
            file.rows[0].request
                == ChangeRequest(
                    line: 3, changeID: "c1", tenant: "contoso", user: "alice@contoso.com", operation: "edit",
                    method: "mobilePhone", methodID: "m1", value: "+1 4255550199", expect: "old"))
        let fields = ["c1", "contoso", "alice@contoso.com", "edit", "mobilePhone", "m1", "+1 4255550199", "old"]
        #expect(file.rows[0].fields == fields)
        #expect(file.changeFileFields(of: file.rows[0]) == fields)
        #expect(file.extraColumns.isEmpty)
    }

    @Test("missing attributes read as empty fields; a change without id is named by its line")
    func readsMissingAttributesAsEmpty() throws {
        let file = try readXMLChanges(
            changes("  <change tenant=\"contoso\" user=\"bob@contoso.com\" operation=\"require-reregister\"/>"))
        try #require(file.rows.count == 1)
        #expect(file.rows[0].fields == ["", "contoso", "bob@contoso.com", "require-reregister", "", "", "", ""])
        #expect(
            file.rows[0].request
                == ChangeRequest(line: 3, tenant: "contoso", user: "bob@contoso.com", operation: "require-reregister"))
        #expect(file.rows[0].request.name == "line:3")
    }

    @Test("an empty <change/> is a row of empty fields, for the rule engine to reject")
    func readsEmptyChange() throws {
        let file = try readXMLChanges(changes("  <change/>"))
        #expect(file.rows.map(\.fields) == [["", "", "", "", "", "", "", ""]])
    }

    @Test("the id, tenant and user are trimmed in the request; the fields keep what was read")
    func trimsKeysButKeepsFields() throws {
        let file = try readXMLChanges(
            changes(
                "  <change id=\" c1 \" tenant=\" contoso\" user=\"bob@contoso.com \" operation=\"add\" method=\"email\""
                    + " value=\" b@x.com \"/>"))
        try #require(file.rows.count == 1)
        let request = file.rows[0].request
        #expect(request.changeID == "c1")
        #expect(request.tenant == "contoso")
        #expect(request.user == "bob@contoso.com")
        #expect(request.value == " b@x.com ")
        #expect(file.rows[0].fields[0...2] == [" c1 ", " contoso", "bob@contoso.com "])
    }

    @Test("values keep escaped characters, tabs and line breaks written as character references")
    func readsEscapedValues() throws {
        let file = try readXMLChanges(
            changes(
                "  <change id=\"c1\" tenant=\"contoso\" user=\"a@contoso.com\" operation=\"add\" method=\"email\""
                    + " value=\"&lt;a&amp;b&gt; &quot;q&quot; it's\" expect=\"t&#9;ab&#10;lf&#13;cr\"/>"))
        #expect(file.rows.first?.request.value == "<a&b> \"q\" it's")
        #expect(file.rows.first?.request.expect == "t\tab\nlf\rcr")
    }

    @Test("each change's line is its element's line, after comments and blank lines")
    func recordsLineOfEachChange() throws {
        let text = changes(
            "  <change id=\"c1\" tenant=\"contoso\" user=\"a@contoso.com\" operation=\"delete\"/>", "",
            "  <!-- next -->",
            "  <change id=\"c2\" tenant=\"contoso\" user=\"a@contoso.com\" operation=\"delete\"></change>",
            "  <change tenant=\"contoso\" user=\"b@contoso.com\" operation=\"delete\">", "  </change>",
            "  <change id=\"c3\" tenant=\"contoso\" user=\"c@contoso.com\" operation=\"delete\"/>")
        for trickle in [nil, 1] as [Int?] {
            let file = try readXMLChanges(text, trickle: trickle)
            #expect(file.rows.map(\.request.line) == [3, 6, 7, 9])
            #expect(file.rows.map(\.request.name) == ["c1", "c2", "line:7", "c3"])
        }
    }

    @Test("the SPEC example reads as its change, on the line its <change> begins")
    func readsSpecExample() throws {
        let file = try readXMLChanges(specExample)
        #expect(
            file.rows.map(\.request) == [
                ChangeRequest(
                    line: 2, changeID: "c1", tenant: "contoso", user: "alice@contoso.com", operation: "edit",
                    method: "mobilePhone", value: "+1 4255550199", expect: "+1 4255550100")
            ])
    }

    @Test("the SPEC examples in CSV and XML say the same for the change they share")
    func readsSameAsCSV() throws {
        let csv = try CSVChangeFileReader.read(source: MemoryByteSource(path: "c.csv", text: specChangesCSV))
        let xml = try readXMLChanges(specExample)
        #expect(xml.rows.map { withoutLine($0.request) } == csv.rows.prefix(1).map { withoutLine($0.request) })
        #expect(
            xml.rows.map { xml.changeFileFields(of: $0) } == csv.rows.prefix(1).map { csv.changeFileFields(of: $0) })
    }

    @Test("a second change with the same non-empty id is an error at its line, naming the first's line")
    func rejectsDuplicateID() throws {
        let text = changes(
            "  <change id=\"c1\" tenant=\"contoso\" user=\"a@contoso.com\" operation=\"delete\"/>",
            "  <change id=\"c2\" tenant=\"contoso\" user=\"a@contoso.com\" operation=\"delete\"/>",
            "  <change id=\" c1\" tenant=\"contoso\" user=\"b@contoso.com\" operation=\"delete\"/>")
        let error = try #require(throws: InputError.self) { try readXMLChanges(text, path: "dup.xml") }
        #expect(error.file == "dup.xml")
        #expect(error.line == 5)
        #expect(error.message.contains("'c1'"))
        #expect(error.message.contains("line 3"))
    }

    @Test("empty ids may repeat")
    func allowsEmptyIDsTwice() throws {
        let text = changes(
            "  <change id=\"\" tenant=\"contoso\" user=\"a@contoso.com\" operation=\"delete\"/>",
            "  <change tenant=\"contoso\" user=\"a@contoso.com\" operation=\"delete\"/>",
            "  <change id=\"  \" tenant=\"contoso\" user=\"a@contoso.com\" operation=\"delete\"/>")
        #expect(try readXMLChanges(text).rows.map(\.request.name) == ["line:3", "line:4", "line:5"])
    }

    @Test(
        "a broken change file is an error naming the file and the line",
        arguments: [
            BrokenXMLExport(
                "an unknown attribute",
                changes(
                    "  <change id=\"c1\" tenant=\"contoso\" user=\"a@contoso.com\" operation=\"add\" ticket=\"T1\"/>"),
                line: 3, "'ticket'"),
            BrokenXMLExport(
                "the CSV name method_id instead of methodId",
                changes("  <change tenant=\"contoso\" user=\"a@contoso.com\" operation=\"delete\" method_id=\"m1\"/>"),
                line: 3, "'method_id'"),
            BrokenXMLExport(
                "a change holding an element",
                changes(
                    "  <change id=\"c1\" tenant=\"contoso\" user=\"a\" operation=\"add\">", "    <value>x</value>",
                    "  </change>"),
                line: 4),
            BrokenXMLExport(
                "a change holding text",
                changes("  <change id=\"c1\" tenant=\"contoso\" user=\"a\" operation=\"add\">x</change>"), line: 3),
            BrokenXMLExport(
                "a change inside a change",
                changes(
                    "  <change id=\"c1\" tenant=\"contoso\" user=\"a\" operation=\"add\">", "    <change/>",
                    "  </change>"),
                line: 4),
            BrokenXMLExport(
                "the wrong root", xmlDeclaration + "<securityInfoExport version=\"1\"/>\n", line: 2,
                "<securityInfoExport>"),
            BrokenXMLExport("a missing version", xmlDeclaration + "<securityInfoChanges/>\n", line: 2, "'version'"),
            BrokenXMLExport(
                "an unsupported version", xmlDeclaration + "<securityInfoChanges version=\"2\"/>\n", line: 2, "'2'"),
            BrokenXMLExport("an unknown element", changes("  <changes/>"), line: 3, "<changes>"),
            BrokenXMLExport("text in the root", changes("  stray text"), line: 3, "text"),
            BrokenXMLExport(
                "an undeclared entity",
                changes("  <change tenant=\"contoso\" user=\"&foo;\" operation=\"delete\"/>"), line: 3),
            BrokenXMLExport(
                "a mismatched end tag",
                changes("  <change tenant=\"contoso\" user=\"a\" operation=\"delete\">", "  </user>"), line: 4),
            BrokenXMLExport("an empty document", "", line: 1),
        ])
    func rejectsBrokenChangeFile(broken: BrokenXMLExport) throws {
        let error = try #require(throws: InputError.self) {
            try XMLChangeFileReader.read(source: MemoryByteSource(path: "bad.xml", bytes: broken.bytes))
        }
        #expect(error.file == "bad.xml")
        #expect(error.line == broken.line, "\(error)")
        if let fragment = broken.fragment { #expect(error.message.contains(fragment), "\(error)") }
    }

    @Test("a root without changes is a file without rows")
    func readsEmptyChangeFile() throws {
        #expect(try readXMLChanges(xmlDeclaration + "<securityInfoChanges version=\"1\"/>\n").rows.isEmpty)
    }

    @Test("the SPEC CSV example written as XML has one self-closed <change> per row with its non-empty fields")
    func writesXML() throws {
        let file = try CSVChangeFileReader.read(source: MemoryByteSource(path: "c.csv", text: specChangesCSV))
        let sink = MemoryByteSink()
        try ChangeFileWriter.writeXML(file, to: sink, path: "c.xml")
        #expect(
            sink.text
                == xmlDeclaration + "<securityInfoChanges version=\"1\">\n"
                + "  <change id=\"c1\" tenant=\"contoso\" user=\"alice@contoso.com\" operation=\"edit\""
                + " method=\"mobilePhone\" value=\"+1 4255550199\" expect=\"+1 4255550100\"/>\n"
                + "  <change id=\"c2\" tenant=\"contoso\" user=\"alice@contoso.com\" operation=\"set-default\""
                + " value=\"sms\"/>\n"
                + "  <change id=\"c3\" tenant=\"contoso\" user=\"bob@contoso.com\" operation=\"require-reregister\"/>\n"
                + "</securityInfoChanges>\n")
    }

    @Test("a control character in a change (made elsewhere: no reader lets one in) cannot be written as XML")
    func rejectsControlCharacterInXML() throws {
        let request = ChangeRequest(
            line: 0, changeID: "c1", tenant: "contoso", user: "a", operation: "add", value: "x\u{1}y")
        let file = ChangeFile(
            path: "made",
            rows: [ChangeRow(request: request, fields: ["c1", "contoso", "a", "add", "", "", "x\u{1}y", ""])])
        let error = try #require(throws: OutputError.self) {
            try ChangeFileWriter.writeXML(file, to: MemoryByteSink(), path: "out/c.xml")
        }
        #expect(error.path == "out/c.xml")
    }

    @Test("CSV → XML → CSV keeps every canonical field of every row", arguments: 0..<6)
    func roundTripsThroughXML(seed: UInt64) throws {
        let original = try CSVChangeFileReader.read(
            source: MemoryByteSource(path: "in.csv", bytes: try randomCSVChangeFile(rows: 300, seed: seed)))
        try #require(original.rows.count == 300)
        #expect(original.extraColumns == ["ticket"])

        let xmlSink = MemoryByteSink()
        try ChangeFileWriter.writeXML(original, to: xmlSink, path: "mid.xml")
        let xml = try XMLChangeFileReader.read(source: MemoryByteSource(path: "mid.xml", bytes: xmlSink.bytes))

        let csvSink = MemoryByteSink()
        try ChangeFileWriter.writeCSV(xml, to: csvSink)
        let back = try CSVChangeFileReader.read(source: MemoryByteSource(path: "out.csv", bytes: csvSink.bytes))

        try #require(xml.rows.count == original.rows.count)
        try #require(back.rows.count == original.rows.count)
        #expect(back.header == ChangeFile.columns)
        for index in original.rows.indices {
            let canonical = Array(original.changeFileFields(of: original.rows[index]).prefix(ChangeFile.columns.count))
            #expect(xml.changeFileFields(of: xml.rows[index]) == canonical, "row \(index)")
            #expect(back.changeFileFields(of: back.rows[index]) == canonical, "row \(index)")
            #expect(withoutLine(xml.rows[index].request) == withoutLine(original.rows[index].request), "row \(index)")
            #expect(withoutLine(back.rows[index].request) == withoutLine(original.rows[index].request), "row \(index)")
        }
    }

    @Test("CSV written from a CSV change file keeps its extra columns after the canonical ones")
    func writesCSVWithExtraColumns() throws {
        let text =
            "ticket,change_id,tenant,user,operation\n" + "T-1,c1,contoso,a@contoso.com,delete\n"
        let file = try CSVChangeFileReader.read(source: MemoryByteSource(path: "c.csv", text: text))
        let sink = MemoryByteSink()
        try ChangeFileWriter.writeCSV(file, to: sink)
        #expect(
            sink.text
                == "change_id,tenant,user,operation,method,method_id,value,expect,ticket\n"
                + "c1,contoso,a@contoso.com,delete,,,,,T-1\n")
    }
}
