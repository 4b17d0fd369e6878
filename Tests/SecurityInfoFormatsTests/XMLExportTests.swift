import SecurityInfo
import Testing

@testable import SecurityInfoFormats

// MARK: - Helpers shared by the XML tests

/// The XML declaration every example below starts with: line 1.
let xmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/// The example of SPEC.md, "Tenant export, XML".
let specXMLExample =
    xmlDeclaration
        + """
        <securityInfoExport version="1">
          <tenant id="contoso">
            <user upn="alice@contoso.com" admin="false" defaultMethod="push">
              <method type="microsoftAuthenticator" id="a1f0">Alice's iPhone</method>
              <method type="mobilePhone">+1 4255550100</method>
            </user>
            <user upn="bob@contoso.com" admin="true" defaultMethod="none"/>
          </tenant>
        </securityInfoExport>

        """

/// The example of SPEC.md, "Tenant export, CSV".
let specCSVExample =
    "tenant,user,admin,default_method,method,method_id,value\n"
    + "contoso,alice@contoso.com,false,push,microsoftAuthenticator,a1f0,Alice's iPhone\n"
    + "contoso,alice@contoso.com,false,push,mobilePhone,,+1 4255550100\n"
    + "contoso,alice@contoso.com,false,push,email,,alice@outlook.com\n"
    + "contoso,alice@contoso.com,false,push,securityQuestions,,3\n"
    + "contoso,bob@contoso.com,true,none,,,\n"

/// The CSV example of SPEC.md in XML form: the same users and methods, element for row.
let specCSVExampleAsXML =
    xmlDeclaration
        + """
        <securityInfoExport version="1">
          <tenant id="contoso">
            <user upn="alice@contoso.com" admin="false" defaultMethod="push">
              <method type="microsoftAuthenticator" id="a1f0">Alice's iPhone</method>
              <method type="mobilePhone">+1 4255550100</method>
              <method type="email">alice@outlook.com</method>
              <method type="securityQuestions">3</method>
            </user>
            <user upn="bob@contoso.com" admin="true" defaultMethod="none"/>
          </tenant>
        </securityInfoExport>

        """

/// What the tests compare of an export record: `ExportRecord` itself is not `Equatable`.
struct ComparableExportRecord: Equatable, CustomStringConvertible {
    var tenant: String
    var user: User
    var line: Int
    var rowCount: Int

    init(_ record: ExportRecord) {
        tenant = record.tenant
        user = record.user
        line = record.line
        rowCount = record.rowCount
    }

    var description: String { "\(tenant)/\(user) line \(line) rows \(rowCount)" }
}

/// Reads every record of an XML export, `trickle` bytes per read when given.
func readXMLExport(bytes: [UInt8], path: String = "export.xml", trickle: Int? = nil) throws(InputError)
    -> [ExportRecord]
{
    var reader = try XMLExportReader(source: memorySource(bytes, path: path, trickle: trickle))
    var records: [ExportRecord] = []
    while let record = try reader.next() { records.append(record) }
    return records
}

func readXMLExport(_ text: String, path: String = "export.xml", trickle: Int? = nil) throws(InputError)
    -> [ExportRecord]
{
    try readXMLExport(bytes: Array(text.utf8), path: path, trickle: trickle)
}

/// Writes records through `XMLExportWriter` and returns the bytes and the writer's totals.
func writeXMLExport(_ records: [ExportRecord], path: String = "out.xml") throws(OutputError)
    -> (bytes: [UInt8], written: [String: WrittenTotals])
{
    let sink = MemoryByteSink()
    var writer = try XMLExportWriter(sink: sink, path: path)
    for record in records { try writer.write(record) }
    try writer.finish()
    return (sink.bytes, writer.written)
}

private let alice = User(
    name: "alice@contoso.com", isAdmin: false, defaultMethod: .push,
    methods: [
        MethodInstance(kind: .microsoftAuthenticator, id: "a1f0", value: "Alice's iPhone"),
        MethodInstance(kind: .mobilePhone, value: "+1 4255550100"),
    ])

private let bob = User(name: "bob@contoso.com", isAdmin: true, defaultMethod: .none)

/// A document with `lines` inside `<tenant id="contoso">`: the first of them is line 4.
private func inTenant(_ lines: String...) -> String {
    xmlDeclaration + "<securityInfoExport version=\"1\">\n  <tenant id=\"contoso\">\n"
        + lines.map { $0 + "\n" }.joined() + "  </tenant>\n</securityInfoExport>\n"
}

/// A document with `lines` inside a `<user>` of that tenant: the first of them is line 5.
private func inUser(_ lines: String...) -> String {
    xmlDeclaration
        + "<securityInfoExport version=\"1\">\n  <tenant id=\"contoso\">\n"
        + "    <user upn=\"alice@contoso.com\" admin=\"false\" defaultMethod=\"push\">\n"
        + lines.map { $0 + "\n" }.joined() + "    </user>\n  </tenant>\n</securityInfoExport>\n"
}

/// A broken export, the line its error must name, and a piece of the message when the message is secinfo's own.
struct BrokenXMLExport: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var line: Int
    var fragment: String?

    init(_ name: String, _ text: String, line: Int, _ fragment: String? = nil) {
        self.init(name, bytes: Array(text.utf8), line: line, fragment)
    }

    init(_ name: String, bytes: [UInt8], line: Int, _ fragment: String? = nil) {
        self.name = name
        self.bytes = bytes
        self.line = line
        self.fragment = fragment
    }

    var testDescription: String { name }
}

private let root = "<securityInfoExport version=\"1\">\n"

private let brokenExports: [BrokenXMLExport] = [
    .init("wrong root", xmlDeclaration + "<export version=\"1\"/>\n", line: 2, "<export>"),
    .init(
        "missing version", xmlDeclaration + "<securityInfoExport>\n</securityInfoExport>\n", line: 2, "'version'"),
    .init(
        "unsupported version", xmlDeclaration + "<securityInfoExport version=\"2\">\n</securityInfoExport>\n",
        line: 2, "'2'"),
    .init(
        "unknown element at depth 1", xmlDeclaration + root + "  <users/>\n</securityInfoExport>\n", line: 3,
        "<users>"),
    .init("unknown element at depth 2", inTenant("    <group/>"), line: 4, "<group>"),
    .init("a tenant inside a tenant", inTenant("    <tenant id=\"fabrikam\"/>"), line: 4, "<tenant>"),
    .init("unknown element at depth 3", inUser("      <phone>+1 4255550100</phone>"), line: 5, "<phone>"),
    .init("a user inside a user", inUser("      <user upn=\"bob@contoso.com\"/>"), line: 5, "<user>"),
    .init("unknown element at depth 4", inUser("      <method type=\"email\">a<b>x</b></method>"), line: 5, "<b>"),
    .init(
        "unknown attribute on the root",
        xmlDeclaration + "<securityInfoExport version=\"1\" region=\"eu\">\n</securityInfoExport>\n", line: 2,
        "'region'"),
    .init(
        "unknown attribute on a tenant",
        xmlDeclaration + root + "  <tenant id=\"contoso\" name=\"Contoso\">\n  </tenant>\n</securityInfoExport>\n",
        line: 3, "'name'"),
    .init("unknown attribute on a user", inTenant("    <user upn=\"a@contoso.com\" mail=\"x\"/>"), line: 4, "'mail'"),
    .init(
        "unknown attribute on a method", inUser("      <method type=\"email\" primary=\"true\">a@b.com</method>"),
        line: 5, "'primary'"),
    .init(
        "a tenant without id", xmlDeclaration + root + "  <tenant>\n  </tenant>\n</securityInfoExport>\n", line: 3,
        "'id'"),
    .init("a user without upn", inTenant("    <user admin=\"true\"/>"), line: 4, "'upn'"),
    .init("a method without type", inUser("      <method id=\"a1\">value</method>"), line: 5, "'type'"),
    .init(
        "text in the root", xmlDeclaration + "<securityInfoExport version=\"1\">oops</securityInfoExport>\n", line: 2,
        "text"),
    .init(
        "text in a tenant", xmlDeclaration + root + "  <tenant id=\"contoso\">oops</tenant>\n</securityInfoExport>\n",
        line: 3, "text"),
    .init("text on a line of its own in a tenant", inTenant("    oops"), line: 4, "text"),
    .init(
        "text in a user",
        inTenant("    <user upn=\"a@contoso.com\">oops<method type=\"email\">a@b.com</method></user>"), line: 4,
        "text"),
    .init(
        "a user outside a tenant", xmlDeclaration + root + "  <user upn=\"a@contoso.com\"/>\n</securityInfoExport>\n",
        line: 3),
    .init(
        "a tenant id that climbs folders",
        xmlDeclaration + root + "  <tenant id=\"../../etc\">\n  </tenant>\n</securityInfoExport>\n", line: 3,
        "'../../etc'"),
    .init(
        "a tenant id of 65 characters",
        xmlDeclaration + root + "  <tenant id=\"\(String(repeating: "t", count: 65))\"/>\n</securityInfoExport>\n",
        line: 3, "tenant"),
    .init("an unknown method type", inUser("      <method type=\"fax\">+1 4255550100</method>"), line: 5, "'fax'"),
    .init("a bad admin", inTenant("    <user upn=\"a@contoso.com\" admin=\"yes\"/>"), line: 4, "admin"),
    .init(
        "a bad defaultMethod", inTenant("    <user upn=\"a@contoso.com\" defaultMethod=\"fax\"/>"), line: 4,
        "defaultMethod"),
    .init("an empty upn", inTenant("    <user upn=\"  \"/>"), line: 4, "upn"),
    .init(
        "a user repeated in one tenant",
        inTenant(
            "    <user upn=\"a@contoso.com\"/>", "    <user upn=\"b@contoso.com\"/>",
            "    <user upn=\"a@contoso.com\"/>"),
        line: 6, "line 4"),
    .init(
        "a user repeated in one tenant, in other case",
        inTenant("    <user upn=\"a@contoso.com\"/>", "    <user upn=\"A@Contoso.COM\"/>"), line: 5, "line 4"),
    .init(
        "a user repeated in a second element of the same tenant",
        xmlDeclaration + root + "  <tenant id=\"contoso\">\n    <user upn=\"a@contoso.com\"/>\n  </tenant>\n"
            + "  <tenant id=\"contoso\">\n    <user upn=\"a@contoso.com\"/>\n  </tenant>\n</securityInfoExport>\n",
        line: 7, "line 4"),
    .init(
        "mismatched tags", inTenant("    <user upn=\"a@contoso.com\">", "    </method>", "    </user>"), line: 5),
    .init(
        "invalid UTF-8 in a value",
        bytes: Array(inUser("      <method type=\"email\">a@b.com</method>").utf8).replacing(
            Array("a@b.com".utf8), with: [0x61, 0xFF, 0xFE, 0x62]),
        line: 5),
    .init(
        "invalid UTF-8 in an attribute",
        bytes: Array(inTenant("    <user upn=\"a@contoso.com\"/>").utf8).replacing(
            Array("a@contoso".utf8), with: [0x61, 0xC3, 0x28]),
        line: 4),
    .init("an undeclared entity in a value", inUser("      <method type=\"email\">&foo;</method>"), line: 5),
    .init("an undeclared entity in an attribute", inTenant("    <user upn=\"&foo;@contoso.com\"/>"), line: 4),
    .init(
        "a control character in a value",
        bytes: Array(inUser("      <method type=\"email\">a@b.com</method>").utf8).replacing(
            Array("a@b.com".utf8), with: [0x61, 0x01, 0x62]),
        line: 5),
    .init(
        "a second root element",
        xmlDeclaration + "<securityInfoExport version=\"1\"/>\n<securityInfoExport version=\"1\"/>\n", line: 3),
    .init("text after the root", xmlDeclaration + "<securityInfoExport version=\"1\"/>\ntrailing\n", line: 3),
    .init("an empty document", "", line: 1),
]

// MARK: - Reader

@Suite("XML export reader")
struct XMLExportReaderTests {
    @Test("the SPEC XML example reads as the users it shows, with lines and row counts")
    func readsSpecExample() throws {
        let records = try readXMLExport(specXMLExample, path: "in/contoso.xml")
        try #require(records.count == 2)
        #expect(records.map(\.tenant) == ["contoso", "contoso"])
        #expect(records[0].user == alice)
        #expect(records[1].user == bob)
        #expect(records.map(\.line) == [4, 8])
        #expect(records.map(\.rowCount) == [2, 1])
    }

    @Test("the SPEC XML example equals its rows of the SPEC CSV example")
    func readsSpecExampleAsCSVRows() throws {
        let csvRows = specCSVExample.split(separator: "\n", omittingEmptySubsequences: false)
        // The XML example shows alice's first two methods: the CSV example without its rows 4 and 5.
        let csv = (csvRows[0..<3] + csvRows[5...]).joined(separator: "\n")
        let fromCSV = try readExport(csv)
        let fromXML = try readXMLExport(specXMLExample)
        #expect(fromXML.map(\.tenant) == fromCSV.map(\.tenant))
        #expect(fromXML.map(\.user) == fromCSV.map(\.user))
        #expect(fromXML.map(\.rowCount) == fromCSV.map(\.rowCount))
    }

    @Test("the SPEC CSV example and its XML form read as equal records, element for row")
    func readsSameRecordsAsCSV() throws {
        let fromCSV = try readExport(specCSVExample)
        let fromXML = try readXMLExport(specCSVExampleAsXML)
        try #require(fromXML.count == 2)
        #expect(fromXML.map(\.tenant) == fromCSV.map(\.tenant))
        #expect(fromXML.map(\.user) == fromCSV.map(\.user))
        #expect(fromXML.map(\.rowCount) == [4, 1])
        #expect(fromXML.map(\.rowCount) == fromCSV.map(\.rowCount))
        #expect(fromXML[0].user.methods.map(\.id) == ["a1f0", "", "", ""])
        #expect(fromXML[0].user.methods.map(\.value) == ["Alice's iPhone", "+1 4255550100", "alice@outlook.com", "3"])
    }

    @Test("the same records come back whatever the size of each read", arguments: [1, 2, 3, 17])
    func readsInAnyChunks(trickle: Int) throws {
        let whole = try readXMLExport(specCSVExampleAsXML).map(ComparableExportRecord.init)
        let trickled = try readXMLExport(specCSVExampleAsXML, trickle: trickle).map(ComparableExportRecord.init)
        #expect(trickled == whole)
    }

    @Test("white space, comments and processing instructions are ignored wherever they stand")
    func ignoresCommentsAndInstructions() throws {
        let text =
            xmlDeclaration
            + "<!-- exported by hand -->\n<?app hint=\"x\"?>\n"
            + "<securityInfoExport version=\"1\">\n"
            + "  <!-- a tenant -->\n  <?app tenant?>\n"
            + "  <tenant id=\"contoso\">\n"
            + "    <!-- alice --><?app user?>\n"
            + "    <user upn=\"alice@contoso.com\" admin=\"false\" defaultMethod=\"push\">\n"
            + "      <!-- her phone -->\n"
            + "      <method type=\"microsoftAuthenticator\" id=\"a1f0\">Alice's<!-- c --><?app m?> iPhone</method>\n"
            + "\t\t<?app between?>\n"
            + "      <method type=\"mobilePhone\">+1 4255550100</method>\n"
            + "    </user>\n"
            + "    <user upn=\"bob@contoso.com\" admin=\"true\" defaultMethod=\"none\"/>\n"
            + "  </tenant>\n"
            + "  <!-- the end -->\n"
            + "</securityInfoExport>\n<!-- after -->\n<?app after?>\n"
        let records = try readXMLExport(text)
        #expect(records.map(\.user) == [alice, bob])
        #expect(records.map(\.line) == [9, 15])
    }

    @Test("CDATA sections and character references in a value read as their text")
    func readsCDATAAndCharacterReferences() throws {
        let text = inUser(
            "      <method type=\"email\"><![CDATA[<b>&amp;</b>]]></method>",
            "      <method type=\"mobilePhone\">&#x2B;1&#32;4255550100</method>",
            "      <method type=\"microsoftAuthenticator\" id=\"&#97;1\">"
                + "Zo&#235;&apos;s &lt;Phone&gt; &amp; &quot;co&quot;</method>",
            "      <method type=\"fido2\">mixed <![CDATA[&raw;]]> &#x1F600;</method>")
        let records = try readXMLExport(text)
        try #require(records.count == 1)
        #expect(
            records[0].user.methods == [
                MethodInstance(kind: .email, value: "<b>&amp;</b>"),
                MethodInstance(kind: .mobilePhone, value: "+1 4255550100"),
                MethodInstance(kind: .microsoftAuthenticator, id: "a1", value: "Zoë's <Phone> & \"co\""),
                MethodInstance(kind: .fido2, value: "mixed &raw; 😀"),
            ])
    }

    @Test("a value keeps its spaces, tabs and line breaks; an empty element is an empty value")
    func keepsWhiteSpaceInValues() throws {
        let text = inUser(
            "      <method type=\"email\">  spaced  </method>",
            "      <method type=\"officePhone\">\tline\nbreak</method>",
            "      <method type=\"softwareOath\"></method>",
            "      <method type=\"hardwareOath\"/>",
            "      <method type=\"fido2\"> </method>")
        let records = try readXMLExport(text)
        #expect(records.first?.user.methods.map(\.value) == ["  spaced  ", "\tline\nbreak", "", "", " "])
        #expect(records.first?.rowCount == 5)
    }

    @Test("a self-closing tenant has no users, and the tenants around it keep theirs")
    func readsSelfClosingTenant() throws {
        let text =
            xmlDeclaration + root
            + "  <tenant id=\"x\"/>\n"
            + "  <tenant id=\"contoso\">\n    <user upn=\"bob@contoso.com\" admin=\"true\" defaultMethod=\"none\"/>\n"
            + "  </tenant>\n"
            + "  <tenant id=\"empty\"></tenant>\n"
            + "  <tenant id=\"fabrikam\">\n    <user upn=\"bob@contoso.com\"/>\n  </tenant>\n"
            + "</securityInfoExport>\n"
        let records = try readXMLExport(text)
        #expect(records.map(\.tenant) == ["contoso", "fabrikam"])
        #expect(records.map(\.line) == [5, 9])
        #expect(records.last?.user == User(name: "bob@contoso.com"))
    }

    @Test(
        "an export with only a root element has no users",
        arguments: [
            "<securityInfoExport version=\"1\"/>", "<securityInfoExport version=\"1\">\n</securityInfoExport>\n",
        ])
    func readsEmptyExport(text: String) throws {
        #expect(try readXMLExport(xmlDeclaration + text).isEmpty)
        #expect(try readXMLExport(text).isEmpty)
    }

    @Test("admin and defaultMethod are optional and read without regard to case")
    func readsOptionalUserAttributes() throws {
        let records = try readXMLExport(
            inTenant(
                "    <user upn=\"a@contoso.com\"/>",
                "    <user upn=\"b@contoso.com\" admin=\"TRUE\" defaultMethod=\"SMS\"/>",
                "    <user upn=\"c@contoso.com\" defaultMethod=\"\"/>"))
        #expect(
            records.map(\.user) == [
                User(name: "a@contoso.com"), User(name: "b@contoso.com", isAdmin: true, defaultMethod: .sms),
                User(name: "c@contoso.com"),
            ])
    }

    @Test("one user name in two tenants is two users")
    func readsSameNameInTwoTenants() throws {
        let text =
            xmlDeclaration + root + "  <tenant id=\"contoso\">\n    <user upn=\"a@example.com\"/>\n  </tenant>\n"
            + "  <tenant id=\"fabrikam\">\n    <user upn=\"a@example.com\"/>\n  </tenant>\n</securityInfoExport>\n"
        #expect(try readXMLExport(text).map(\.tenant) == ["contoso", "fabrikam"])
    }

    @Test("a user's line is the line its start tag begins on, even when its attributes run over several lines")
    func recordsLineOfMultiLineStartTag() throws {
        let text = inTenant(
            "    <user upn=\"alice@contoso.com\"", "          admin=\"false\"", "          defaultMethod=\"push\">",
            "      <method type=\"email\">a@b.com</method>", "    </user>",
            "    <user upn=\"bob@contoso.com\"", "          admin=\"true\"/>")
        #expect(try readXMLExport(text).map(\.line) == [4, 9])
    }

    @Test("users past line 65535 are given their true line")
    func recordsLinesPast65535() throws {
        let padding = String(repeating: "    <!-- padding -->\n", count: 70_000)
        let text =
            xmlDeclaration + root + "  <tenant id=\"contoso\">\n" + padding
            + "    <user upn=\"alice@contoso.com\"/>\n" + "    <user upn=\"ALICE@contoso.com\"/>\n"
            + "  </tenant>\n</securityInfoExport>\n"
        let error = try #require(throws: InputError.self) { try readXMLExport(text) }
        #expect(error.line == 70_005)
        #expect(error.message.contains("line 70004"))
    }

    @Test(
        "a broken export is an error naming the file and the right line", arguments: brokenExports, [nil, 1] as [Int?])
    func rejectsBrokenExport(broken: BrokenXMLExport, trickle: Int?) throws {
        let error = try #require(throws: InputError.self) {
            try readXMLExport(bytes: broken.bytes, path: "broken.xml", trickle: trickle)
        }
        #expect(error.file == "broken.xml")
        #expect(error.line == broken.line, "\(error)")
        if let fragment = broken.fragment { #expect(error.message.contains(fragment), "\(error)") }
    }

    @Test("an unclosed element is an error at or after its line")
    func rejectsUnclosedElement() throws {
        let text = xmlDeclaration + root + "  <tenant id=\"contoso\">\n    <user upn=\"a@contoso.com\"/>\n"
        for trickle in [nil, 1] as [Int?] {
            let error = try #require(throws: InputError.self) {
                try readXMLExport(text, path: "open.xml", trickle: trickle)
            }
            #expect(error.file == "open.xml")
            let line = try #require(error.line)
            #expect((3...5).contains(line), "\(error)")
        }
    }

    @Test("a document of white space or a declaration only is an error", arguments: ["\n\n", xmlDeclaration])
    func rejectsDocumentWithoutRoot(text: String) throws {
        let error = try #require(throws: InputError.self) { try readXMLExport(text, path: "blank.xml") }
        #expect(error.file == "blank.xml")
        #expect(error.line != nil)
    }

    @Test("a truncated gzip stream under the XML reader is an error with the line reached")
    func placesGzipErrorAtLine() throws {
        let compressed = try gzipped(Array(specCSVExampleAsXML.utf8))
        let gzip = try GzipSource(
            source: MemoryByteSource(path: "cut.xml.gz", bytes: Array(compressed.dropLast(12))), maximumBytes: 1 << 20)
        var reader = try XMLExportReader(source: gzip)
        let error = try #require(throws: InputError.self) { while try reader.next() != nil {} }
        #expect(error.file == "cut.xml.gz")
        #expect(error.message.contains("truncated"), "\(error)")
        #expect(error.line != nil)
    }
}

// MARK: - Writer

/// Pieces of awkward values: every character XML escapes, the white space parsers normalise, multi-byte UTF-8.
private let awkwardPieces = [
    "&", "<", ">", "\"", "'", "\t", "\n", "\r", "\r\n", " ", "  ", "]]>", "&amp;", "&#10;", "<!--", "?>", "é", "名前",
    "😀", "👍🏽", "+1 425", "\u{7F}", "\u{85}", "\u{A0}",
]

private let printable = (0x20...0x7E).map { String(UnicodeScalar(UInt8($0))) }

private func randomText(using generator: inout SeededGenerator, pieces: ClosedRange<Int> = 0...8) -> String {
    (0..<Int.random(in: pieces, using: &generator)).map { _ in
        generator.chance(0.4) ? generator.pick(awkwardPieces) : generator.pick(printable)
    }.joined()
}

/// Random users of a few tenants, runs of one tenant apart, names unique within a tenant.
private func randomRecords(count: Int, seed: UInt64) -> [ExportRecord] {
    var generator = SeededGenerator(seed: seed)
    var tenant = "t0"
    return (0..<count).map { index in
        if generator.chance(0.2) { tenant = generator.pick(["contoso", "fabrikam", "t0", "a.b_c-d"]) }
        let methods = (0..<Int.random(in: 0...4, using: &generator)).map { _ in
            MethodInstance(
                kind: generator.pick(MethodKind.allCases),
                id: generator.chance(0.5) ? randomText(using: &generator) : "",
                value: randomText(using: &generator))
        }
        let user = User(
            name: "u\(index)" + randomText(using: &generator), isAdmin: generator.chance(0.3),
            defaultMethod: generator.pick(DefaultMethod.allCases), methods: methods)
        return ExportRecord(tenant: tenant, user: user, line: 0, rowCount: max(methods.count, 1))
    }
}

/// A value, and how it must appear escaped in an attribute and in text.
struct EscapingCase: Sendable, CustomTestStringConvertible {
    var value: String
    var attribute: String
    var text: String

    init(_ value: String, attribute: String, text: String) {
        self.value = value
        self.attribute = attribute
        self.text = text
    }

    var testDescription: String { value.debugDescription }
}

@Suite("XML export writer")
struct XMLExportWriterTests {
    @Test("the SPEC example written and read back gives the same users, lines counted in the new file")
    func roundTripsSpecExample() throws {
        let records = try readXMLExport(specCSVExampleAsXML)
        let (bytes, _) = try writeXMLExport(records)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(xmlDeclaration + "<securityInfoExport version=\"1\">\n"))
        #expect(text.hasSuffix("</securityInfoExport>\n"))
        let again = try readXMLExport(bytes: bytes)
        #expect(again.map(\.tenant) == records.map(\.tenant))
        #expect(again.map(\.user) == records.map(\.user))
        #expect(again.map(\.rowCount) == records.map(\.rowCount))
    }

    @Test("seeded random values with & < > \" and tab, LF and CR read back identical", arguments: 0..<8)
    func roundTripsAwkwardValues(seed: UInt64) throws {
        let records = randomRecords(count: 60, seed: seed)
        let (bytes, _) = try writeXMLExport(records)
        let again = try readXMLExport(bytes: bytes)
        try #require(again.count == records.count)
        for (read, written) in zip(again, records) {
            #expect(read.tenant == written.tenant)
            #expect(read.user == written.user)
            #expect(read.rowCount == written.rowCount)
        }
    }

    @Test("a value goes through XML and CSV alike: both read back as the records written")
    func writesSameUsersAsCSV() throws {
        let records = randomRecords(count: 40, seed: 99)
        let xml = try readXMLExport(bytes: try writeXMLExport(records).bytes)
        let csv = try readExport(try writeExport(records).text)
        #expect(xml.map(\.user) == csv.map(\.user))
        #expect(xml.map(\.tenant) == csv.map(\.tenant))
        #expect(xml.map(\.rowCount) == csv.map(\.rowCount))
    }

    @Test(
        "escaping: & < > \" in attributes and text, tab, LF and CR as character references in attributes",
        arguments: [
            EscapingCase("a&b", attribute: "a&amp;b", text: "a&amp;b"),
            EscapingCase("<x>", attribute: "&lt;x&gt;", text: "&lt;x&gt;"),
            EscapingCase("say \"hi\"", attribute: "say &quot;hi&quot;", text: "say \"hi\""),
            EscapingCase("t\tab", attribute: "t&#9;ab", text: "t\tab"),
            EscapingCase("l\nf", attribute: "l&#10;f", text: "l\nf"),
            EscapingCase("c\rr", attribute: "c&#13;r", text: "c&#13;r"),
            EscapingCase("it's", attribute: "it's", text: "it's"),
        ])
    func escapes(escaping: EscapingCase) throws {
        let (value, inAttribute, inText) = (escaping.value, escaping.attribute, escaping.text)
        let record = ExportRecord(
            tenant: "contoso",
            user: User(name: "u" + value, methods: [MethodInstance(kind: .email, id: value, value: value)]), line: 0,
            rowCount: 1)
        let text = String(decoding: try writeXMLExport([record]).bytes, as: UTF8.self)
        #expect(text.contains("upn=\"u\(inAttribute)\""))
        #expect(text.contains("id=\"\(inAttribute)\""))
        #expect(text.contains(">\(inText)</method>"))
    }

    @Test(
        "a control character XML 1.0 cannot carry is an OutputError naming the path, wherever it stands",
        arguments: ["\u{1}", "\u{0}", "\u{8}", "\u{B}", "\u{C}", "\u{1F}"], ["name", "id", "value"])
    func rejectsControlCharacters(character: String, place: String) throws {
        let method = MethodInstance(
            kind: .email, id: place == "id" ? "a\(character)" : "", value: place == "value" ? "v\(character)" : "v")
        let user = User(name: place == "name" ? "a\(character)@contoso.com" : "a@contoso.com", methods: [method])
        let error = try #require(throws: OutputError.self) {
            try writeXMLExport([ExportRecord(tenant: "contoso", user: user, line: 0, rowCount: 1)], path: "out/c.xml")
        }
        #expect(error.path == "out/c.xml")
    }

    @Test(
        "a character no XML 1.0 document may hold (U+FFFE, U+FFFF) is an OutputError, not an unreadable file",
        arguments: ["\u{FFFE}", "\u{FFFF}"])
    func rejectsNonCharacters(character: String) throws {
        let user = User(name: "a@contoso.com", methods: [MethodInstance(kind: .email, value: "v\(character)")])
        let record = ExportRecord(tenant: "contoso", user: user, line: 0, rowCount: 1)
        #expect(throws: OutputError.self) { try writeXMLExport([record]) }
    }

    @Test("consecutive users of one tenant share one <tenant> element; a tenant seen again opens another")
    func groupsConsecutiveUsersByTenant() throws {
        let tenants = ["contoso", "contoso", "contoso", "fabrikam", "fabrikam", "contoso"]
        let records = tenants.enumerated().map { index, tenant in
            ExportRecord(tenant: tenant, user: User(name: "user\(index)@example.com"), line: 0, rowCount: 1)
        }
        let text = String(decoding: try writeXMLExport(records).bytes, as: UTF8.self)
        #expect(text.split(separator: "<tenant ", omittingEmptySubsequences: false).count - 1 == 3)
        #expect(text.split(separator: "</tenant>", omittingEmptySubsequences: false).count - 1 == 3)
        let again = try readXMLExport(text)
        #expect(again.map(\.tenant) == tenants)
        #expect(again.map(\.line) == [4, 5, 6, 9, 10, 13])
    }

    @Test("users without methods are written self-closed and read back with no methods and one row")
    func writesUsersWithoutMethods() throws {
        let records = [
            ExportRecord(tenant: "contoso", user: bob, line: 0, rowCount: 1),
            ExportRecord(tenant: "contoso", user: alice, line: 0, rowCount: 2),
            ExportRecord(tenant: "contoso", user: User(name: "carol@contoso.com"), line: 0, rowCount: 1),
        ]
        let (bytes, _) = try writeXMLExport(records)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("<user upn=\"bob@contoso.com\" admin=\"true\" defaultMethod=\"none\"/>\n"))
        let again = try readXMLExport(bytes: bytes)
        #expect(again.map(\.user) == [bob, alice, User(name: "carol@contoso.com")])
        #expect(again.map(\.rowCount) == [1, 2, 1])
    }

    @Test("an export without users is a root element only, which reads back as no users")
    func writesEmptyExport() throws {
        let (bytes, written) = try writeXMLExport([])
        #expect(String(decoding: bytes, as: UTF8.self) == xmlDeclaration + root + "</securityInfoExport>\n")
        #expect(written.isEmpty)
        #expect(try readXMLExport(bytes: bytes).isEmpty)
    }

    @Test("written counts users and methods of each kind per tenant")
    func countsWritten() throws {
        let records = [
            ExportRecord(tenant: "contoso", user: alice, line: 0, rowCount: 2),
            ExportRecord(tenant: "contoso", user: bob, line: 0, rowCount: 1),
            ExportRecord(
                tenant: "fabrikam",
                user: User(
                    name: "dave@fabrikam.com",
                    methods: [
                        MethodInstance(kind: .mobilePhone, value: "+1 4255550101"),
                        MethodInstance(kind: .fido2, id: "k1", value: "key one"),
                        MethodInstance(kind: .fido2, id: "k2", value: "key two"),
                    ]), line: 0, rowCount: 3),
        ]
        let (_, written) = try writeXMLExport(records)
        var contoso = WrittenTotals()
        contoso.users = 2
        contoso.methods = [.microsoftAuthenticator: 1, .mobilePhone: 1]
        var fabrikam = WrittenTotals()
        fabrikam.users = 1
        fabrikam.methods = [.mobilePhone: 1, .fido2: 2]
        #expect(written == ["contoso": contoso, "fabrikam": fabrikam])
    }

    @Test("written through gzip, an export reads back through GzipSource unchanged")
    func roundTripsThroughGzip() throws {
        let records = randomRecords(count: 200, seed: 7)
        let memory = MemoryByteSink()
        var writer = try XMLExportWriter(
            sink: try GzipSink(destination: memory, path: "out.xml.gz"), path: "out.xml.gz")
        for record in records { try writer.write(record) }
        try writer.finish()
        #expect(memory.bytes.starts(with: gzipMagic))
        var reader = try XMLExportReader(
            source: try GzipSource(
                source: MemoryByteSource(path: "out.xml.gz", bytes: memory.bytes), maximumBytes: 1 << 24))
        var users: [User] = []
        while let record = try reader.next() { users.append(record.user) }
        #expect(users == records.map(\.user))
    }
}
