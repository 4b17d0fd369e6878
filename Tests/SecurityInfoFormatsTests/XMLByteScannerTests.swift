import SecurityInfo
import Testing

@testable import SecurityInfoFormats

/// An XXE attempt: the DOCTYPE on line 2, column 1, an external entity that would read a local file.
private let externalEntity =
    xmlDeclaration
    + "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n"
    + "<securityInfoExport version=\"1\">\n  <tenant id=\"contoso\">\n"
    + "    <user upn=\"alice@contoso.com\">\n      <method type=\"email\">&e;</method>\n    </user>\n"
    + "  </tenant>\n</securityInfoExport>\n"

/// A billion-laughs entity bomb: the DOCTYPE on line 2, column 1.
private let billionLaughs =
    xmlDeclaration
    + "<!DOCTYPE lolz [\n"
    + "  <!ENTITY lol \"lol\">\n"
    + (1...9).map { level in
        "  <!ENTITY lol\(level) \"" + String(repeating: level == 1 ? "&lol;" : "&lol\(level - 1);", count: 10)
            + "\">\n"
    }.joined()
    + "]>\n"
    + "<securityInfoExport version=\"1\">\n  <tenant id=\"contoso\">\n"
    + "    <user upn=\"alice@contoso.com\">\n      <method type=\"email\">&lol9;</method>\n    </user>\n"
    + "  </tenant>\n</securityInfoExport>\n"

/// A change file carrying the same XXE attempt.
private let externalEntityChanges =
    xmlDeclaration
    + "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n"
    + "<securityInfoChanges version=\"1\">\n"
    + "  <change id=\"c1\" tenant=\"contoso\" user=\"alice@contoso.com\" operation=\"add\" method=\"email\""
    + " value=\"&e;\"/>\n"
    + "</securityInfoChanges>\n"

/// An export whose prolog holds everything allowed before the root: a declaration, comments (one quoting a
/// DOCTYPE), processing instructions and white space.
private let allowedProlog =
    xmlDeclaration
    + "<!-- exported by secinfo -->\n"
    + "<?app note=\"no <!DOCTYPE here\"?>\n"
    + "  <!-- <!DOCTYPE x [<!ENTITY e \"not one\">]> -->\n"
    + "\t<?app-two?>\n"
    + "<securityInfoExport version=\"1\">\n  <tenant id=\"contoso\">\n"
    + "    <user upn=\"alice@contoso.com\" admin=\"false\" defaultMethod=\"push\">\n"
    + "      <method type=\"email\">alice@outlook.com</method>\n    </user>\n"
    + "  </tenant>\n</securityInfoExport>\n"

private let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

/// Sizes of each read: the whole document, a byte at a time, and sizes that cut `<!` and `<!--` apart.
private let trickles: [Int?] = [nil, 1, 2, 3, 5, 7]

/// Feeds bytes to a guard in pieces cut at `cuts`, then the end of the stream.
private func inspect(_ bytes: [UInt8], cuts: [Int]) throws(InputError) -> XMLByteScanner {
    var prologGuard = XMLByteScanner()
    var start = 0
    for end in cuts + [bytes.count, bytes.count] {
        let piece = Array(bytes[start..<end])
        let failure = piece.withUnsafeBytes { buffer -> InputError? in
            do throws(InputError) { try prologGuard.scan(buffer, path: "guarded.xml") } catch { return error }
            return nil
        }
        if let failure { throw failure }
        start = end
    }
    return prologGuard
}

@Suite("XML byte scanner: the DOCTYPE guard and start-tag lines")
struct XMLByteScannerTests {
    @Test(
        "an XXE DOCTYPE is refused with the line and column of <!DOCTYPE, whatever the read size", arguments: trickles)
    func refusesExternalEntity(trickle: Int?) throws {
        let error = try #require(throws: InputError.self) {
            try readXMLExport(externalEntity, path: "xxe.xml", trickle: trickle)
        }
        #expect(error.file == "xxe.xml")
        #expect(error.line == 2)
        #expect(error.column == 1)
        #expect(error.message.contains("DOCTYPE"))
    }

    @Test("a billion-laughs DOCTYPE is refused with the line and column of <!DOCTYPE", arguments: trickles)
    func refusesBillionLaughs(trickle: Int?) throws {
        let error = try #require(throws: InputError.self) {
            try readXMLExport(billionLaughs, path: "lol.xml", trickle: trickle)
        }
        #expect(error.file == "lol.xml")
        #expect(error.line == 2)
        #expect(error.column == 1)
        #expect(error.message.contains("DOCTYPE"))
    }

    @Test("the change file reader refuses a DOCTYPE the same way", arguments: [nil, 1] as [Int?])
    func refusesDoctypeInChangeFile(trickle: Int?) throws {
        let error = try #require(throws: InputError.self) {
            try XMLChangeFileReader.read(
                source: memorySource(Array(externalEntityChanges.utf8), path: "xxe-changes.xml", trickle: trickle))
        }
        #expect(error.file == "xxe-changes.xml")
        #expect(error.line == 2)
        #expect(error.column == 1)
    }

    @Test("a DOCTYPE after comments and indentation is placed at its own line and column", arguments: trickles)
    func placesDoctypeAfterComment(trickle: Int?) throws {
        let text =
            xmlDeclaration + "<!-- one -->\n  <!DOCTYPE securityInfoExport>\n<securityInfoExport version=\"1\"/>\n"
        let error = try #require(throws: InputError.self) { try readXMLExport(text, trickle: trickle) }
        #expect(error.line == 3)
        #expect(error.column == 3)
    }

    @Test("comments and processing instructions before the root are allowed, at every read size", arguments: trickles)
    func allowsCommentsAndInstructions(trickle: Int?) throws {
        let records = try readXMLExport(allowedProlog, trickle: trickle)
        #expect(records.map(\.user.name) == ["alice@contoso.com"])
        #expect(records.map(\.line) == [8])
    }

    @Test(
        "a comment after white space at the very start of a file is allowed",
        arguments: ["\n<!-- note -->\n", " <!-- note -->", "\r\n<!-- note -->\n", "\t\t<!--x-->"])
    func allowsCommentAfterLeadingWhiteSpace(start: String) throws {
        // Read whole, as from a file: only libxml2's own read sizes cut the stream.
        let records = try readXMLExport(
            start + "<securityInfoExport version=\"1\">\n  <tenant id=\"contoso\">\n"
                + "    <user upn=\"alice@contoso.com\"/>\n  </tenant>\n</securityInfoExport>\n")
        #expect(records.map(\.user.name) == ["alice@contoso.com"])
    }

    @Test("a comment is allowed wherever it falls against the parser's reads of a file")
    func allowsCommentAtAnyOffset() throws {
        // libxml2 reads a few bytes and then 4 KiB at a time: move a second comment across those boundaries.
        for padding in 4_040..<4_110 {
            let text =
                xmlDeclaration + "<!--" + String(repeating: "x", count: padding) + "-->\n<!-- second -->\n"
                + "<securityInfoExport version=\"1\">\n  <tenant id=\"contoso\">\n"
                + "    <user upn=\"alice@contoso.com\"/>\n  </tenant>\n</securityInfoExport>\n"
            #expect(throws: Never.self, "second comment at byte \(xmlDeclaration.utf8.count + padding + 8)") {
                _ = try readXMLExport(text)
            }
        }
    }

    @Test("a BOM before the prolog is allowed, at every read size", arguments: trickles)
    func allowsByteOrderMark(trickle: Int?) throws {
        let records = try readXMLExport(bytes: byteOrderMark + Array(allowedProlog.utf8), trickle: trickle)
        #expect(records.map(\.user.name) == ["alice@contoso.com"])
    }

    @Test("a DOCTYPE after a BOM is still refused at its line and column, at every read size", arguments: trickles)
    func refusesDoctypeAfterByteOrderMark(trickle: Int?) throws {
        let error = try #require(throws: InputError.self) {
            try readXMLExport(bytes: byteOrderMark + Array(externalEntity.utf8), trickle: trickle)
        }
        #expect(error.line == 2)
        #expect(error.column == 1)
        #expect(error.message.contains("DOCTYPE"))
    }

    @Test("a DOCTYPE right after a BOM is at column 1: a BOM is not a character of the line")
    func countsColumnAfterByteOrderMark() throws {
        let text = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<securityInfoExport version=\"1\"/>\n"
        let error = try #require(throws: InputError.self) { try readXMLExport(bytes: byteOrderMark + Array(text.utf8)) }
        #expect(error.line == 1)
        #expect(error.column == 1)
    }

    @Test("the column of a DOCTYPE counts characters, as the CSV reader's columns do, not bytes")
    func countsColumnInCharacters() throws {
        let text = "<!-- é -->  <!DOCTYPE x>\n<securityInfoExport version=\"1\"/>\n"
        let error = try #require(throws: InputError.self) { try readXMLExport(text) }
        #expect(error.line == 1)
        #expect(error.column == 13)
    }

    @Test(
        "any other declaration before the root is refused too",
        arguments: ["<!doctype x>", "<!ENTITY e \"x\">", "<![CDATA[x]]>", "<!-x->", "<!>"])
    func refusesOtherDeclarations(declaration: String) throws {
        let text = xmlDeclaration + declaration + "\n<securityInfoExport version=\"1\"/>\n"
        for trickle in [nil, 1] as [Int?] {
            let error = try #require(throws: InputError.self) { try readXMLExport(text, trickle: trickle) }
            #expect(error.line == 2, "\(error)")
        }
    }

    @Test("a DOCTYPE once the root has begun is refused by the parser instead", arguments: [nil, 1] as [Int?])
    func refusesDoctypeInsideRoot(trickle: Int?) throws {
        let text =
            xmlDeclaration + "<securityInfoExport version=\"1\">\n"
            + "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n</securityInfoExport>\n"
        let error = try #require(throws: InputError.self) {
            try readXMLExport(text, path: "late.xml", trickle: trickle)
        }
        #expect(error.file == "late.xml")
        #expect(error.line == 3)
    }

    @Test("a DOCTYPE behind a long prolog is still refused, at its own line")
    func refusesDoctypeBehindLongProlog() throws {
        let comment = "<!--" + String(repeating: "x", count: 70_000) + "-->\n"
        let text =
            xmlDeclaration + comment + "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n"
            + "<securityInfoExport version=\"1\">\n  <tenant id=\"contoso\">\n    <user upn=\"a@contoso.com\">\n"
            + "      <method type=\"email\">&e;</method>\n    </user>\n  </tenant>\n</securityInfoExport>\n"
        let error = try #require(throws: InputError.self) { try readXMLExport(text) }
        #expect(error.line == 3)
        #expect(error.message.contains("DOCTYPE"))
    }

    @Test("the guard finds the DOCTYPE wherever the stream is cut in two")
    func findsDoctypeAtEveryCut() throws {
        let bytes = Array(externalEntity.utf8)
        // An empty piece is the end of the stream: cut between 1 and the last byte.
        for cut in 1..<bytes.count {
            let error = try #require(throws: InputError.self, "cut at \(cut)") { _ = try inspect(bytes, cuts: [cut]) }
            #expect(error.file == "guarded.xml")
            #expect(error.line == 2, "cut at \(cut)")
            #expect(error.column == 1, "cut at \(cut)")
        }
    }

    @Test("the scanner passes an allowed prolog wherever it is cut, and gives the root's line")
    func passesAllowedPrologAtEveryCut() throws {
        let bytes = byteOrderMark + Array(allowedProlog.utf8)
        let rootLine =
            allowedProlog.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.hasPrefix("<securityInfoExport") }! + 1
        for cut in 1..<bytes.count {
            var scanner = XMLByteScanner()
            #expect(throws: Never.self, "cut at \(cut)") { scanner = try inspect(bytes, cuts: [cut]) }
            #expect(scanner.nextElementStart()?.line == rootLine, "cut at \(cut)")
        }
    }

    @Test("element starts (line and column) come in document order; comments, CDATA, PIs and values hold no tags")
    func elementLines() throws {
        let text = """
            <?xml version="1.0"?>
            <root a="<b>" b='x>y'>
            <!-- <fake> -->
            <?pi <fake2>?>
              <child
                 attribute="1"/>
              <other><![CDATA[<fake3>]]></other>
            </root>
            """
        var scanner = try inspect(Array(text.utf8), cuts: [])
        var starts: [[Int]] = []
        while let start = scanner.nextElementStart() { starts.append([start.line, start.column]) }
        #expect(starts == [[2, 1], [5, 3], [7, 3]])
    }

    @Test("a stream with only a comment has no element")
    func onlyComment() throws {
        var scanner = try inspect(Array("<!-- only a comment -->\n".utf8), cuts: [])
        #expect(scanner.nextElementStart() == nil)
    }
}
