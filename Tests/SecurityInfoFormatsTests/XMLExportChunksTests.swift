import Foundation
import SecurityInfo
import Testing

@testable import SecurityInfoFormats

/// Cutting an XML export into chunks, each parsed by a reader of its own, must give exactly what one sequential
/// reading gives: the same users at the same lines, and for a broken file the same first error, at the same place.
@Suite("XML export chunks", .tags(.slow))
struct XMLExportChunksTests {
    typealias Read = ExportChunksTests.Read

    static func source(_ text: String, trickle: Int? = nil, maximumBytes: Int?) -> any ByteSource {
        let bytes = memorySource(Array(text.utf8), path: "e.xml", trickle: trickle)
        return maximumBytes.map { LimitedByteSource(source: bytes, maximumBytes: $0) } ?? bytes
    }

    static func readSequentially(_ text: String, maximumBytes: Int? = nil) -> Read {
        var read = Read()
        do {
            var reader = try XMLExportReader(source: source(text, maximumBytes: maximumBytes))
            while let record = try reader.next() { read.users.append(ExportChunksTests.describe(record)) }
        } catch { read.error = error }
        return read
    }

    static func readInChunks(
        _ text: String, chunkBytes: Int, trickle: Int? = nil, maximumChunkBytes: Int = 64 << 20,
        maximumBytes: Int? = nil
    ) -> Read {
        ExportChunksTests.readChunks { () throws(InputError) in
            try XMLExportChunkReader(
                source: source(text, trickle: trickle, maximumBytes: maximumBytes), confirming: nil,
                chunkBytes: chunkBytes, maximumChunkBytes: maximumChunkBytes)
        }
    }

    /// An export with what makes cutting hard: comments and CDATA holding markup, `>` and quotes inside attribute
    /// values, start tags over several lines, empty users and tenants, text that is not ASCII, every kind of line
    /// end, a BOM; or the whole export on one line.
    static func trickyExport(seed: UInt64, users: Int = 200) -> String {
        var random = SeededGenerator(seed: seed)
        let oneLine = random.chance(0.2)
        let lineEnd = oneLine ? "" : ["\n", "\r\n", "\r"].randomElement(using: &random)!
        var text = (random.chance(0.5) ? "\u{FEFF}" : "") + "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + lineEnd
        text += "<!-- exported </user> by <tenant> -->" + lineEnd + "<securityInfoExport version=\"1\">" + lineEnd
        let values = ["+1 4255550100", "a@b.example", "<![CDATA[</user><user upn='x'>]]>", "émoji ✓", "a &amp; b", ""]
        var user = 0
        for tenant in 0..<4 {
            let spread = random.chance(0.3) && !oneLine ? lineEnd + "    " : " "
            text += "  <tenant\(spread)id=\"t\(tenant)\">" + lineEnd
            if tenant == 2 { text += "  </tenant>" + lineEnd + "  <tenant id=\"empty\"/>" + lineEnd; continue }
            for _ in 0..<users / 3 {
                user += 1
                let name = random.chance(0.1) ? "us>er\(user)@x" : "user\(user)@x"
                let attributes = "upn=\"\(name)\"\(spread)admin='false' defaultMethod=\"none\""
                if random.chance(0.2) {
                    text += "    <user \(attributes)/>" + lineEnd
                    continue
                }
                text += "    <user \(attributes)>" + lineEnd
                if random.chance(0.2) { text += "      <!-- a note <user> -->" + lineEnd }
                if random.chance(0.1) { text += "      <?note </user>?>" + lineEnd }
                for id in 0..<Int.random(in: 0...3, using: &random) {
                    let value = values.randomElement(using: &random)!
                    text += "      <method type=\"email\" id=\"m\(id)\">\(value)</method>" + lineEnd
                }
                text += "    </user>" + lineEnd
            }
            text += "  </tenant>" + lineEnd
        }
        return text + "</securityInfoExport>" + lineEnd
    }

    @Test("valid exports read in chunks of any size give the same users at the same lines", arguments: 0..<12)
    func sameUsers(seed: Int) {
        let text = Self.trickyExport(seed: UInt64(seed))
        let sequential = Self.readSequentially(text)
        #expect(sequential.error == nil)
        #expect(sequential.users.count > 100)
        for chunkBytes in [1, 7, 64, 500, 1 << 18] {
            for trickle in [nil, 5] as [Int?] {
                let chunked = Self.readInChunks(text, chunkBytes: chunkBytes, trickle: trickle)
                #expect(
                    chunked == sequential,
                    "seed \(seed), chunks of \(chunkBytes), trickle \(String(describing: trickle))")
                if chunkBytes == 1 { #expect(chunked.chunks > 100, "cut after almost every user") }
            }
        }
    }

    /// Breakages of a valid export, each a text to replace and its replacement.
    static let breakages: [(String, String)] = [
        ("    </user>", "    </usr>"),  // mismatched end tag
        ("admin='false'", "admin='maybe'"),  // a value the reader refuses
        ("admin='false'", "admin=false"),  // malformed attribute
        ("<method type=\"email\"", "<method kind=\"email\""),  // unknown attribute
        ("    </user>", "    </user>stray text"),  // text between elements
        ("    </user>", "    </user><extra/>"),  // unknown element
        ("    </user>", "    </user>&amp;"),  // an entity between elements
        ("    </user>", "    </user><!DOCTYPE x>"),  // a declaration
        ("    </user>", "    </user><!-- open comment"),  // a comment never closed
        ("  </tenant>", "  </tenant></securityInfoExport><more/>"),  // content after the root
        ("<tenant id=\"t1\">", "<tenant id=\"-bad\">"),  // a tenant id refused
        ("user7@x", "user5@x"),  // a repeated user
        // Refused before libxml2 sees them (its time grows with the square of the attributes).
        ("admin='false'", "admin='false'" + (0..<100_000).map { " a\($0)='1'" }.joined()),
        ("admin='false'", "admin='false' note='" + String(repeating: "x", count: 1 << 21) + "'"),
    ]

    // For a broken export only the error is compared: libxml2's reader parses ahead of the node it hands out, so
    // how many users come before an error depends on its buffers. The error is what a run reports.
    @Test("a broken export read in chunks fails with the first error reading through meets, at the same place")
    func sameFirstError() {
        let text = Self.trickyExport(seed: 3)
        for (index, breakage) in Self.breakages.enumerated() {
            // Break the export at its 40th occurrence, well past the first chunk when chunks are small.
            let parts = text.components(separatedBy: breakage.0)
            guard parts.count > 41 else {
                #expect(parts.count > 1, "breakage \(index) applies")
                continue
            }
            let broken =
                parts[..<40].joined(separator: breakage.0) + breakage.1 + parts[40...].joined(separator: breakage.0)
            let sequential = Self.readSequentially(broken)
            #expect(sequential.error != nil, "breakage \(index) is an error")
            if index >= Self.breakages.count - 2 {
                #expect(
                    sequential.error?.message.contains(index == Self.breakages.count - 2 ? "32 attributes" : "1 MiB")
                        == true)
                #expect(sequential.error?.column != nil)
            }
            for chunkBytes in [1, 64, 500, 1 << 18] {
                #expect(
                    Self.readInChunks(broken, chunkBytes: chunkBytes).error == sequential.error,
                    "breakage \(index), chunks of \(chunkBytes): \(sequential.error?.description ?? "")")
            }
        }
    }

    @Test("an export cut short anywhere, even right after a user, is an error in chunks as read through")
    func truncatedAnywhere() {
        let text = Array(Self.trickyExport(seed: 5, users: 30).utf8)
        var truncations = Array(stride(from: 1, to: text.count - 1, by: 37))
        // Right after each `</user>`: where a chunk may be cut.
        let end = Array("</user>".utf8)
        truncations += (0..<(text.count - end.count)).filter { text[$0..<$0 + end.count].elementsEqual(end) }
            .map { $0 + end.count }
        for length in truncations {
            let broken = String(decoding: text[..<length], as: UTF8.self)
            let sequential = Self.readSequentially(broken)
            #expect(sequential.error != nil, "cut at \(length)")
            for chunkBytes in [1, 300] {
                #expect(
                    Self.readInChunks(broken, chunkBytes: chunkBytes).error == sequential.error,
                    "cut at \(length), \(chunkBytes)")
            }
        }
    }

    // Where a stream error is met depends on how much is read at a time (libxml2 asks for a few KiB, the chunk
    // reader for 64 KiB): both raise it after the users before it, at the line their text had reached.
    @Test("a stream error after whole users: the users before it, then the stream's error, at the line reached")
    func streamError() throws {
        let text = Self.trickyExport(seed: 8, users: 3_000)
        let whole = Self.readSequentially(text)
        #expect(whole.error == nil)
        for limit in [100_000, 200_000] {
            let sequential = Self.readSequentially(text, maximumBytes: limit)
            #expect(sequential.error?.message.contains("--max-input-bytes") == true)
            for chunkBytes in [1, 500, 1 << 18] {
                let chunked = Self.readInChunks(text, chunkBytes: chunkBytes, maximumBytes: limit)
                #expect(chunked.error?.message == sequential.error?.message)
                #expect(chunked.users == Array(whole.users.prefix(chunked.users.count)), "the users before it")
                #expect(chunked.users.count > 100)
                // The line reached: past the last user read, within the bytes the limit let through.
                let line = try #require(chunked.error?.line)
                let lastLine = try #require(chunked.users.last.flatMap { Int($0.split(separator: "|")[2]) })
                #expect(line >= lastLine)
                let linesWithin = text.utf8.prefix(limit + (1 << 16)).count { $0 == 0x0A || $0 == 0x0D } + 1
                #expect(line <= linesWithin)
            }
        }
    }

    @Test("no user ending within the chunk limit is refused, after the errors the bytes before it hold")
    func runawayChunk() {
        let text =
            "<securityInfoExport version=\"1\">\n<tenant id=\"t\">\n<user upn=\"a@x\"/>\n<!-- never closed\n"
            + String(repeating: "x", count: 5_000)
        let read = Self.readInChunks(text, chunkBytes: 1, maximumChunkBytes: 1_000)
        #expect(read.error?.message.hasPrefix("no <user> ends within 1000 bytes from line 4:") == true)
        #expect((read.error?.line ?? 0) >= 3)
        #expect(read.users.count == 1, "the user before is read")
        // A file that is no export at all: its reader's error, not the limit's.
        let changes =
            "<securityInfoChanges version=\"1\">\n"
            + String(repeating: "<change id=\"c\" tenant=\"t\" user=\"u\" operation=\"delete\"/>\n", count: 100)
            + "</securityInfoChanges>\n"
        let wrongRoot = Self.readInChunks(changes, chunkBytes: 1, maximumChunkBytes: 1_000)
        #expect(wrongRoot.error == Self.readSequentially(changes).error)
        #expect(wrongRoot.error?.message.contains("securityInfoChanges") == true)
    }

    @Test("text between users in a file whose lines end in CR alone is an error on a line of the file")
    func textInCarriageReturnFile() {
        let text =
            "<securityInfoExport version=\"1\">\r<tenant id=\"t\">\r<user upn=\"a@x\"/>\rx\r\r</tenant>\r"
            + "</securityInfoExport>\r"
        let sequential = Self.readSequentially(text)
        #expect(sequential.error?.message == "unexpected text here")
        #expect((sequential.error?.line ?? 0) >= 1)
        #expect(Self.readInChunks(text, chunkBytes: 1).error == sequential.error)
    }

    @Test("libxml2's messages naming the root's or tenant's line name the file's, from any chunk")
    func messageLines() {
        let users = (0..<50).map { "<user upn=\"u\($0)@x\"/>\n" }.joined()
        for (open, close) in [("<tenant id=\"t\">", "</tenantx>"), ("<tenant id=\"t\">", "</tenant></root>")] {
            let text =
                "<?xml version=\"1.0\"?>\n<securityInfoExport version=\"1\">\n" + open + "\n" + users + close
                + "\n</securityInfoExport>\n"
            let sequential = Self.readSequentially(text)
            #expect(sequential.error?.message.contains(" line ") == true, "\(sequential)")
            for chunkBytes in [1, 7, 64, 500] {
                #expect(
                    Self.readInChunks(text, chunkBytes: chunkBytes).error == sequential.error, "\(close), \(chunkBytes)"
                )
            }
        }
    }

    @Test("an encoding other than UTF-8 declared is refused in every reading; US-ASCII is read as UTF-8")
    func declaredEncoding() {
        let body =
            "<securityInfoExport version=\"1\">\n<tenant id=\"t\">\n"
            + (0..<30).map { "<user upn=\"u\($0)é@x\"/>\n" }.joined() + "</tenant>\n</securityInfoExport>\n"
        let latin = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" + body
        let refused = Self.readSequentially(latin)
        #expect(refused.error?.message == "the XML declares encoding 'ISO-8859-1': secinfo reads XML in UTF-8 only")
        #expect(refused.error?.line == 1 && refused.error?.column == 31)
        let withBOM = Self.readSequentially(
            "\u{FEFF}" + latin.replacingOccurrences(of: "\" encoding", with: "\"\nencoding"))
        #expect(withBOM.error?.message == refused.error?.message)
        #expect(withBOM.error?.line == 2 && withBOM.error?.column == 11, "\(withBOM)")
        let ascii = "\u{FEFF}<?xml version='1.0' encoding='US-ASCII'?>\n" + body
        let read = Self.readSequentially(ascii)
        #expect(read.error == nil)
        #expect(read.users.count == 30)
        #expect(read.users.first?.contains("u0é@x") == true, "read as UTF-8")
        for chunkBytes in [1, 100] {
            #expect(Self.readInChunks(latin, chunkBytes: chunkBytes) == refused)
            #expect(Self.readInChunks(ascii, chunkBytes: chunkBytes) == read)
        }
    }
}
