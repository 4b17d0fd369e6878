import Glibc
import SecurityInfo
import Testing

@testable import SecurityInfoFormats

/// Why a scratch folder could not be made or written.
private struct ScratchFolderError: Error, CustomStringConvertible {
    var description: String
}

/// A fresh folder under /tmp for one test; it removes the files it wrote, then itself, when released.
private final class ScratchFolder {
    let path: String
    private var files: Set<String> = []

    init() throws {
        var template = Array("/tmp/secinfo-format-registry-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard made else { throw ScratchFolderError(description: "mkdtemp: \(String(cString: strerror(errno)))") }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit {
        for file in files { unlink(file) }
        rmdir(path)
    }

    /// Writes a file into the folder and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = "\(path)/\(name)"
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ScratchFolderError(description: "cannot create \(file)") }
        defer { close(descriptor) }
        files.insert(file)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw ScratchFolderError(description: "cannot write \(file)") }
        return file
    }

    func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }

    /// A path in the folder for a writer to create; removed with the folder.
    func reserve(_ name: String) -> String {
        let file = "\(path)/\(name)"
        files.insert(file)
        return file
    }
}

/// What the tests compare of a record read from any form: the line differs between CSV and XML.
private struct ReadUser: Equatable, CustomStringConvertible {
    var tenant: String
    var user: User
    var rowCount: Int
    var description: String { "\(tenant)/\(user.name) \(rowCount) rows" }
}

/// Opens a path through the registry and reads every record.
private func readUsers(path: String, maximumBytes: Int = FormatRegistry.defaultMaximumInputBytes)
    throws(InputError) -> [ReadUser]
{
    var reader = try FormatRegistry.exportReader(path: path, maximumBytes: maximumBytes)
    var users: [ReadUser] = []
    while let record = try reader.next() {
        users.append(ReadUser(tenant: record.tenant, user: record.user, rowCount: record.rowCount))
    }
    return users
}

/// The SPEC.md change-file example in CSV and in XML (all three rows).
private let changesCSV =
    "change_id,tenant,user,operation,method,method_id,value,expect\n"
    + "c1,contoso,alice@contoso.com,edit,mobilePhone,,+1 4255550199,+1 4255550100\n"
    + "c2,contoso,alice@contoso.com,set-default,,,sms,\n"
    + "c3,contoso,bob@contoso.com,require-reregister,,,,\n"

private let changesXML =
    xmlDeclaration
    + "<securityInfoChanges version=\"1\">\n"
    + "  <change id=\"c1\" tenant=\"contoso\" user=\"alice@contoso.com\" operation=\"edit\" method=\"mobilePhone\""
    + " value=\"+1 4255550199\" expect=\"+1 4255550100\"/>\n"
    + "  <change id=\"c2\" tenant=\"contoso\" user=\"alice@contoso.com\" operation=\"set-default\" value=\"sms\"/>\n"
    + "  <change id=\"c3\" tenant=\"contoso\" user=\"bob@contoso.com\" operation=\"require-reregister\"/>\n"
    + "</securityInfoChanges>\n"

/// Writes the four forms of one content (csv, csv.gz, xml, xml.gz) and returns their paths.
private func writeFourForms(_ folder: ScratchFolder, name: String, csv: String, xml: String) throws -> [String] {
    [
        try folder.write("\(name).csv", csv),
        try folder.write("\(name).csv.gz", try gzipped(Array(csv.utf8))),
        try folder.write("\(name).xml", xml),
        try folder.write("\(name).xml.gz", try gzipped(Array(xml.utf8))),
    ]
}

@Suite("Format registry")
struct FormatRegistryTests {
    @Test(
        "a file name says its format, with or without .gz and in any case",
        arguments: [
            ("contoso.csv", FileFormat.csv), ("CONTOSO.CSV", .csv), ("in/contoso.csv.gz", .csv), ("a.Csv.Gz", .csv),
            ("contoso.xml", .xml), ("x.d/contoso.XML.GZ", .xml), (".csv", .csv), ("a.gz.csv", .csv),
            ("contoso.jsonl", .jsonl), ("contoso.JSONL.gz", .jsonl),
        ] as [(String, FileFormat)])
    func tellsFormatByName(name: String, format: FileFormat) {
        #expect(FileFormat(fileName: name) == format)
    }

    @Test("a name that says neither format has none", arguments: ["contoso.txt", "contoso.gz", "csv", "a.csv.bak", ""])
    func tellsNoFormatByOtherNames(name: String) {
        #expect(FileFormat(fileName: name) == nil)
    }

    @Test("compression is told by the magic bytes, not the name")
    func tellsCompressionByMagic() throws {
        let folder = try ScratchFolder()
        let csv = Array(specCSVExample.utf8)
        let xml = Array(specCSVExampleAsXML.utf8)
        let cases: [(String, [UInt8], FileDescription)] = [
            ("gzip-named.csv", try gzipped(csv), FileDescription(format: .csv, isCompressed: true)),
            ("plain-named.csv.gz", csv, FileDescription(format: .csv, isCompressed: false)),
            ("gzip.csv.gz", try gzipped(csv), FileDescription(format: .csv, isCompressed: true)),
            ("gzip-named.xml", try gzipped(xml), FileDescription(format: .xml, isCompressed: true)),
            ("plain-named.xml.gz", xml, FileDescription(format: .xml, isCompressed: false)),
            ("one-byte.csv", [0x1F], FileDescription(format: .csv, isCompressed: false)),
            ("empty.xml", [], FileDescription(format: .xml, isCompressed: false)),
        ]
        for (name, bytes, expected) in cases {
            let path = try folder.write(name, bytes)
            #expect(try FormatRegistry.describe(path: path) == expected, "\(name)")
        }
    }

    @Test(
        "a name that says no format is refused by name, before any byte is read as the wrong format",
        arguments: ["export", "export.txt", "export.json", "export.gz", "export.csv.bak"])
    func refusesOtherNames(name: String) throws {
        let folder = try ScratchFolder()
        let path = try folder.write(name, Array(specCSVExample.utf8))
        let error = try #require(throws: InputError.self) { try FormatRegistry.describe(path: path) }
        #expect(error.file == path && error.message.contains(".jsonl"), "\(error)")
        #expect(throws: InputError.self) { try FormatRegistry.exportChunks(path: path) }
        #expect(throws: InputError.self) { try FormatRegistry.changeFile(path: path) }
    }

    @Test("describing a missing file is an InputError naming it")
    func rejectsMissingFile() throws {
        let folder = try ScratchFolder()
        let path = folder.path + "/missing.csv"
        let error = try #require(throws: InputError.self) { try FormatRegistry.describe(path: path) }
        #expect(error.file == path)
    }

    @Test("exportReader opens csv, csv.gz, xml and xml.gz alike: the same records from each")
    func readsFourFormsAlike() throws {
        let folder = try ScratchFolder()
        let paths = try writeFourForms(folder, name: "contoso", csv: specCSVExample, xml: specCSVExampleAsXML)
        let expected = try readExport(specCSVExample).map {
            ReadUser(tenant: $0.tenant, user: $0.user, rowCount: $0.rowCount)
        }
        try #require(expected.count == 2)
        for path in paths {
            #expect(try readUsers(path: path) == expected, "\(path)")
        }
        // Compression is told by the bytes: a gzipped file named without .gz is read.
        let misnamed = try folder.write("gzip-named.xml", try gzipped(Array(specCSVExampleAsXML.utf8)))
        #expect(try readUsers(path: misnamed) == expected)
    }

    @Test("exportReader's limit counts decompressed bytes: exactly the size is read, one byte less refused")
    func enforcesMaximumBytes() throws {
        let folder = try ScratchFolder()
        let paths = try writeFourForms(folder, name: "limit", csv: specCSVExample, xml: specCSVExampleAsXML)
        for path in paths {
            let size = path.contains(".csv") ? specCSVExample.utf8.count : specCSVExampleAsXML.utf8.count
            #expect(try readUsers(path: path, maximumBytes: size).count == 2, "\(path)")
            let error = try #require(throws: InputError.self, "\(path)") {
                try readUsers(path: path, maximumBytes: size - 1)
            }
            #expect(error.file == path)
            #expect(error.message.contains("--max-input-bytes"), "\(error)")
        }
    }

    @Test("a truncated .gz is an input error saying so, placed at the line reached", arguments: ["csv", "xml"])
    func placesTruncationAtLine(format: String) throws {
        let folder = try ScratchFolder()
        let text = format == "csv" ? specCSVExample : specCSVExampleAsXML
        let compressed = try gzipped(Array(text.utf8))
        let path = try folder.write("cut.\(format).gz", Array(compressed.dropLast(6)))
        let error = try #require(throws: InputError.self) { try readUsers(path: path) }
        #expect(error.file == path)
        #expect(error.message.contains("truncated"), "\(error)")
        #expect(error.line != nil)
    }

    @Test("changeFile opens csv, csv.gz, xml and xml.gz alike: the same changes from each")
    func readsFourChangeFormsAlike() throws {
        let folder = try ScratchFolder()
        let paths = try writeFourForms(folder, name: "changes", csv: changesCSV, xml: changesXML)
        let reference = try FormatRegistry.changeFile(path: paths[0])
        try #require(reference.rows.count == 3)
        let referenceFields = reference.rows.map { reference.changeFileFields(of: $0) }
        let referenceRequests = reference.rows.map { row in
            var request = row.request
            request.line = 0
            return request
        }
        for path in paths {
            let file = try FormatRegistry.changeFile(path: path)
            #expect(file.path == path)
            #expect(file.rows.map { file.changeFileFields(of: $0) } == referenceFields, "\(path)")
            let requests = file.rows.map { row in
                var request = row.request
                request.line = 0
                return request
            }
            #expect(requests == referenceRequests, "\(path)")
        }
    }

    @Test("changeFile's limit counts decompressed bytes")
    func enforcesMaximumBytesOnChanges() throws {
        let folder = try ScratchFolder()
        let paths = try writeFourForms(folder, name: "changes", csv: changesCSV, xml: changesXML)
        for path in paths {
            let size = path.contains(".csv") ? changesCSV.utf8.count : changesXML.utf8.count
            #expect(try FormatRegistry.changeFile(path: path, maximumBytes: size).rows.count == 3, "\(path)")
            let error = try #require(throws: InputError.self, "\(path)") {
                try FormatRegistry.changeFile(path: path, maximumBytes: size - 1)
            }
            #expect(error.message.contains("--max-input-bytes"), "\(error)")
        }
    }

    @Test("holdsChanges tells change files from exports in every form")
    func tellsChangesFromExports() throws {
        let folder = try ScratchFolder()
        for path in try writeFourForms(folder, name: "changes", csv: changesCSV, xml: changesXML) {
            #expect(try FormatRegistry.holdsChanges(path: path), "\(path)")
        }
        for path in try writeFourForms(folder, name: "export", csv: specCSVExample, xml: specCSVExampleAsXML) {
            #expect(try !FormatRegistry.holdsChanges(path: path), "\(path)")
        }
        let spaced = try folder.write("spaced.csv", "tenant, user , Operation \ncontoso,a@contoso.com,delete\n")
        #expect(try FormatRegistry.holdsChanges(path: spaced))
        let crlf = try folder.write("crlf.csv", "tenant,user,operation\r\ncontoso,a@contoso.com,delete\r\n")
        #expect(try FormatRegistry.holdsChanges(path: crlf))
        // A value that happens to say "operation" is not a header.
        let valued = try folder.write(
            "valued.csv", "tenant,user,admin,default_method,method,method_id,value\ncontoso,operation,false,,,,\n")
        #expect(try !FormatRegistry.holdsChanges(path: valued))
    }

    @Test("holdsChanges goes by the XML root element, not by text before it")
    func tellsXMLByRootElement() throws {
        let folder = try ScratchFolder()
        let longComment = "<!-- " + String(repeating: "notes ", count: 1_000) + "-->\n"
        let changes = try folder.write(
            "commented-changes.xml",
            xmlDeclaration + longComment + String(changesXML.dropFirst(xmlDeclaration.count)))
        #expect(try FormatRegistry.holdsChanges(path: changes))
        let export = try folder.write(
            "commented-export.xml",
            xmlDeclaration + "<!-- made from a <securityInfoChanges> file -->\n"
                + String(specCSVExampleAsXML.dropFirst(xmlDeclaration.count)))
        #expect(try !FormatRegistry.holdsChanges(path: export))
    }

    @Test("exportWriter writes each form so that exportReader reads back the users written")
    func writesEveryFormReadably() throws {
        let folder = try ScratchFolder()
        let records = try readExport(specCSVExample)
        let expected = records.map { ReadUser(tenant: $0.tenant, user: $0.user, rowCount: $0.rowCount) }
        for (name, format, isCompressed) in [
            ("out.csv", FileFormat.csv, false), ("out.csv.gz", .csv, true), ("out.xml", .xml, false),
            ("out.xml.gz", .xml, true),
        ] {
            let path = folder.reserve(name)
            let description = FileDescription(format: format, isCompressed: isCompressed)
            let sink = try AtomicFileSink(path: path)
            var writer = try FormatRegistry.exportWriter(description, path: path, sink: sink)
            for record in records { try writer.write(record) }
            try writer.finish()
            try sink.commit()
            #expect(try FormatRegistry.describe(path: path) == description, "\(name)")
            #expect(try readUsers(path: path) == expected, "\(name)")
        }
    }

    @Test("writeChangeFile writes each form so that changeFile reads back the same changes")
    func writesEveryChangeFormReadably() throws {
        let folder = try ScratchFolder()
        let source = try folder.write("source.csv", changesCSV)
        let original = try FormatRegistry.changeFile(path: source)
        for (name, format, isCompressed) in [
            ("c.csv", FileFormat.csv, false), ("c.csv.gz", .csv, true), ("c.xml", .xml, false),
            ("c.xml.gz", .xml, true),
        ] {
            let path = folder.reserve(name)
            let description = FileDescription(format: format, isCompressed: isCompressed)
            let sink = try AtomicFileSink(path: path)
            try FormatRegistry.writeChangeFile(original, description, path: path, sink: sink)
            try sink.commit()
            #expect(try FormatRegistry.describe(path: path) == description, "\(name)")
            #expect(try FormatRegistry.holdsChanges(path: path), "\(name)")
            let file = try FormatRegistry.changeFile(path: path)
            #expect(
                file.rows.map { file.changeFileFields(of: $0) }
                    == original.rows.map { original.changeFileFields(of: $0) },
                "\(name)")
        }
    }
}
