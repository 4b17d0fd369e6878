import Foundation
import SecurityInfo
import Testing

@testable import SecurityInfoFormats

/// Cutting a CSV export into chunks for the workers must give exactly what one sequential reading gives: the same
/// users with the same lines and columns, and for a broken file the same first error.
@Suite("CSV export chunks")
struct ExportChunksTests {
    /// What a reading gives, comparable.
    struct Read: Equatable, CustomStringConvertible {
        var users: [String] = []
        var error: InputError?
        var chunks = 0
        var description: String { "\(users.count) users, error: \(error?.description ?? "none")" }
        static func == (a: Read, b: Read) -> Bool { a.users == b.users && a.error == b.error }
    }

    static func describe(_ record: ExportRecord) -> String {
        "\(record.tenant)|\(record.user)|\(record.line)|\(record.rowCount)|\(record.nameLine)|\(record.nameColumn)"
    }

    static func readSequentially(_ text: String, maximumBytes: Int? = nil) -> Read {
        var read = Read()
        do {
            var reader = try CSVExportReader(source: source(text, maximumBytes: maximumBytes))
            while let record = try reader.next() { read.users.append(describe(record)) }
        } catch { read.error = error }
        return read
    }

    /// The export's bytes, handed out `trickle` at a time and limited to `maximumBytes`, when given.
    static func source(_ text: String, trickle: Int? = nil, maximumBytes: Int?) -> any ByteSource {
        let bytes = memorySource(Array(text.utf8), path: "e.csv", trickle: trickle)
        return maximumBytes.map { LimitedByteSource(source: bytes, maximumBytes: $0) } ?? bytes
    }

    /// Reads in chunks both ways, every user decoded and canonical users kept as bytes, expects the two to be the
    /// same, and returns the first.
    static func readInChunks(
        _ text: String, chunkBytes: Int, trickle: Int? = nil, maximumChunkBytes: Int = 64 << 20,
        maximumBytes: Int? = nil
    ) -> Read {
        let reads = [false, true].map { summarizing in
            readChunks(summarizing: summarizing) { () throws(InputError) in
                try CSVExportChunkReader(
                    source: source(text, trickle: trickle, maximumBytes: maximumBytes), confirming: nil,
                    chunkBytes: chunkBytes, maximumChunkBytes: maximumChunkBytes)
            }
        }
        let (decoded, summarized) = (reads[0], reads[1])
        #expect(summarized == decoded && summarized.chunks == decoded.chunks, "kept as bytes")
        return decoded
    }

    /// Reads chunks as the engine does: each parsed apart, then its users checked in file order, then its error.
    /// `summarizing`: canonical users kept as their bytes (`SummarizedUser`), described from what the summarised
    /// user says of itself and its decoding, so that a difference from the full reading shows.
    static func readChunks(
        summarizing: Bool = false, of makeReader: () throws(InputError) -> any ExportChunkReader
    ) -> Read {
        var read = Read()
        do throws(InputError) {
            var chunks = try makeReader()
            while let chunk = try chunks.next() {
                read.chunks += 1
                let users = chunk.read(summarizing: summarizing ? .everyUser : nil)
                for user in users.users {
                    try chunks.runCheck?.check(user, in: users.bytes)
                    switch user {
                    case .decoded(let record): read.users.append(describe(record))
                    case .summarized(let summarized):
                        var record = try chunk.decodedForTests(summarized)
                        (record.tenant, record.line, record.rowCount) =
                            (summarized.tenant, summarized.line, summarized.rowCount)
                        (record.nameLine, record.nameColumn) = (summarized.line, summarized.nameColumn)
                        read.users.append(describe(record))
                    }
                }
                if let failure = users.failure {
                    if let unfinished = users.unfinished { try chunks.runCheck?.check(unfinished) }
                    throw failure
                }
            }
        } catch { read.error = error }
        return read
    }

    /// An export as secinfo writes it (every user canonical), with users of one to four rows.
    static func canonicalExport(users: Int = 300) -> String {
        let kinds = [
            "microsoftAuthenticator,m,Phone", "mobilePhone,,+1 4255550100", "email,,a@home.example", "fido2,f,Key",
        ]
        var text = header
        for index in 0..<users {
            let user = "t\(index / 120),User\(index)@t.example,\(index % 9 == 0),none,"
            if index % 7 == 0 { text += user + ",,\n" }
            for kind in kinds.prefix(index % 7 == 0 ? 0 : 1 + index % 4) { text += user + kind + "\n" }
        }
        return text
    }

    @Test("a canonical export: its users kept as bytes, in chunks of any size, read as one sequential reading")
    func canonicalUsers() throws {
        let text = Self.canonicalExport()
        let sequential = Self.readSequentially(text)
        #expect(sequential.error == nil && sequential.users.count == 300)
        for chunkBytes in [1, 64, 1000, 1 << 18] {
            #expect(Self.readInChunks(text, chunkBytes: chunkBytes) == sequential)
        }
        var chunks = try CSVExportChunkReader(source: Self.source(text, maximumBytes: nil), confirming: nil)
        let chunk = try #require(try chunks.next())
        let users = chunk.read(summarizing: .everyUser).users
        #expect(users.count == 300)
        #expect(users.allSatisfy { if case .summarized = $0 { true } else { false } })
    }

    @Test(
        "a canonical export broken anywhere: the same first error when canonical users are kept as bytes",
        arguments: 0..<8)
    func canonicalBroken(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let lines = Self.canonicalExport().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let line = Int.random(in: 1..<lines.count - 1, using: &random)
        let breakages: [(String) -> String] = [
            { $0.replacingFirst(",false,", with: ",maybe,") }, { $0.replacingFirst(",false,", with: ",FALSE,") },
            { $0.replacingFirst("t.example", with: "T.EXAMPLE") }, { $0 + ",extra" },
            { $0.replacingFirst(",", with: "") },
            { "\"" + $0 }, { $0 + "\r" }, { $0.replacingFirst("User", with: "Usér") },
            { $0.replacingFirst(",none,", with: ",push,") },
            { $0.replacingFirst("t\(line / 120),", with: "-bad,") },
            { $0.replacingFirst(",none,", with: ",none,mobilePhone") },
        ]
        for (index, breakage) in breakages.enumerated() {
            var broken = lines
            broken[line] = breakage(lines[line])
            let text = broken.joined(separator: "\n")
            let sequential = Self.readSequentially(text)
            for chunkBytes in [1, 200, 1 << 18] {
                #expect(
                    Self.readInChunks(text, chunkBytes: chunkBytes) == sequential,
                    "breakage \(index) at line \(line + 1)")
            }
        }
    }

    /// An export with what makes cutting hard: values with quotes, commas and line breaks of every kind, users
    /// spelled in different cases on their rows, blank lines, CRLF, a BOM, a user with many rows.
    static func trickyExport(seed: UInt64, users: Int = 300) -> String {
        var random = SeededGenerator(seed: seed)
        let lineEnd = ["\n", "\r\n", "\r"].randomElement(using: &random)!
        var text =
            (Bool.random(using: &random) ? "\u{FEFF}" : "") + "tenant,user,admin,default_method,method,method_id,value"
        let values = [
            "plain", "\"with, comma\"", "\"two\nlines\"", "\"crlf\r\ninside\"", "\"cr\ralone\"", "\"say \"\"hi\"\"\"",
            "\"\"", "+1 4255550100", "émoji ✓",
        ]
        for index in 0..<users {
            let tenant = "t\(index / 120)"
            let name = "user\(index)@t.example"
            let rows = index == 7 ? 40 : Int.random(in: 1...4, using: &random)
            for row in 0..<rows {
                let spelled = row % 2 == 1 && Bool.random(using: &random) ? name.uppercased() : name
                let value = values.randomElement(using: &random)!
                text += lineEnd + "\(tenant),\(spelled),false,none,fido2,id\(row),\(value)"
                if Int.random(in: 0..<20, using: &random) == 0 { text += lineEnd }
            }
        }
        return text + (Bool.random(using: &random) ? lineEnd : "")
    }

    @Test("chunks of any size read the same users, lines and columns as one sequential reading", arguments: 0..<6)
    func sameUsers(seed: UInt64) {
        let text = Self.trickyExport(seed: seed)
        let sequential = Self.readSequentially(text)
        #expect(sequential.error == nil)
        #expect(sequential.users.count == 300)
        for chunkBytes in [1, 2, 3, 7, 64, 1000, 1 << 18] {
            let chunked = Self.readInChunks(text, chunkBytes: chunkBytes)
            #expect(chunked == sequential, "chunk size \(chunkBytes)")
            if chunkBytes <= 64 { #expect(chunked.chunks > 100, "small chunks cut the file often") }
        }
        // A source that hands out a few bytes a read: the scan stops and goes on at every byte.
        #expect(Self.readInChunks(text, chunkBytes: 100, trickle: 3) == sequential, "trickled")
    }

    /// Broken rows, each put in at a seeded place.
    static let breakages: [(String, @Sendable (String) -> String)] = [
        ("a bad admin", { $0.replacingFirst(",false,", with: ",maybe,") }),
        ("a quote inside an unquoted field", { $0.replacingFirst(",fido2,", with: ",fi\"do2,") }),
        ("a field missing", { $0.replacingFirst(",none,fido2,", with: ",none,") }),
        ("a quoted field never closed", { $0.replacingFirst(",fido2,id", with: ",fido2,\"id") }),
        ("an unknown method", { $0.replacingFirst(",fido2,", with: ",fax,") }),
    ]

    @Test("a broken file gives the same first error in chunks as sequentially", arguments: 0..<breakages.count)
    func sameError(breakage: Int) {
        for seed in 0..<4 as Range<UInt64> {
            let text = Self.trickyExport(seed: seed)
            // Break the file somewhere past its start, so that several chunks come before the damage.
            let cut = text.index(text.startIndex, offsetBy: text.count / 2 + Int(seed) * 97)
            let broken = String(text[..<cut]) + Self.breakages[breakage].1(String(text[cut...]))
            let sequential = Self.readSequentially(broken)
            #expect(sequential.error != nil, "\(Self.breakages[breakage].0)")
            for chunkBytes in [1, 5, 200, 1 << 18] {
                #expect(
                    Self.readInChunks(broken, chunkBytes: chunkBytes) == sequential,
                    "\(Self.breakages[breakage].0), chunk size \(chunkBytes)")
            }

        }
    }

    @Test("a quote left open hides the line ends after it: chunks are cut at their largest, the error is the same")
    func openQuote() {
        let rows = (0..<400).map { "t,u\($0)@x,false,none,fido2,,k\($0)\n" }
        for broken in [
            rows[..<50].joined() + "t,u50@x,false,none,fi\"do2,,k\n" + rows[51...].joined(),
            rows[..<50].joined() + "t,u50@x,false,none,fido2,,\"k\n" + rows[51...].joined(),
        ] {
            let text = "tenant,user,admin,default_method,method,method_id,value\n" + broken
            let sequential = Self.readSequentially(text)
            #expect(sequential.error?.line == 52 || sequential.error?.line == 402)
            let chunked = Self.readInChunks(text, chunkBytes: 50, trickle: 7, maximumChunkBytes: 300)
            #expect(chunked == sequential)
            #expect(chunked.chunks > 20, "the hidden part is cut at the largest chunk size")
        }
    }

    @Test("a user's rows apart are found across chunks, at the later row, naming the first")
    func rowsApartAcrossChunks() {
        let text =
            "tenant,user,admin,default_method,method,method_id,value\n"
            + (0..<50).map { "t,u\($0)@x,false,none,fido2,,k\n" }.joined() + "t,U3@x,false,none,fido2,,k\n"
        let sequential = Self.readSequentially(text)
        #expect(sequential.error?.line == 52)
        #expect(sequential.error?.message.contains("began at line 5") == true)
        for chunkBytes in [1, 30, 500] { #expect(Self.readInChunks(text, chunkBytes: chunkBytes) == sequential) }
    }

    @Test("XML: a user met again is the same error through chunks, checked in file order, as read through")
    func xmlRepeatedUser() throws {
        var users = (0..<1_200).map { "    <user upn=\"u\($0)@x\" admin=\"false\" defaultMethod=\"none\"/>\n" }
        users.append("    <user upn=\"U700@x\" admin=\"false\" defaultMethod=\"none\"/>\n")
        let text =
            xmlDeclaration + "<securityInfoExport version=\"1\">\n  <tenant id=\"t\">\n" + users.joined()
            + "  </tenant>\n</securityInfoExport>\n"
        var sequentialError: InputError?
        do {
            var reader = try XMLExportReader(source: MemoryByteSource(path: "e.xml", text: text))
            while try reader.next() != nil {}
        } catch { sequentialError = error }
        #expect(sequentialError?.line == 1_204)
        #expect(sequentialError?.message == "user 'U700@x' appears again (first at line 704)")

        var chunkedError: InputError?
        var chunks = try XMLExportChunkReader(source: MemoryByteSource(path: "e.xml", text: text), confirming: nil)
        do throws(InputError) {
            while let chunk = try chunks.next() {
                let users = chunk.read()
                for user in users.users { try chunks.runCheck?.check(user, in: users.bytes) }
                if let failure = users.failure { throw failure }
            }
        } catch { chunkedError = error }
        #expect(chunkedError == sequentialError)
    }

    static let header = "tenant,user,admin,default_method,method,method_id,value\n"

    @Test("a user met again whose own rows then fail: the repeat is found first, as reading through finds it")
    func repeatBeforeItsOwnFailure() {
        for ending in ["t1,alice,false,none,bogus,,\n", "t1,alice,true,none,fido2,,\n", "t1,alice,false,none,fido2\n"] {
            let text =
                Self.header + "t1,alice,false,none,email,,a@b.example\n" + "t1,bob,false,none,fido2,,k\n"
                + "t1,alice,false,none,fido2,,k\n" + ending
            let sequential = Self.readSequentially(text)
            #expect(sequential.error?.message.contains("apart") == true, "\(ending)")
            for chunkBytes in [1, 40, 1 << 18] {
                #expect(Self.readInChunks(text, chunkBytes: chunkBytes) == sequential, "\(ending), \(chunkBytes)")
            }
        }
    }

    @Test("a user met again after a value over several lines is named at its user cell's own line")
    func repeatAfterMultiLineValue() {
        let text =
            "note,tenant,user,admin,default_method,method,method_id,value\n" + "x,t1,alice,false,none,fido2,,k\n"
            + "y,t1,bob,false,none,fido2,,k\n" + "\"two\nlines\",t1,alice,false,none,fido2,,k\n"
        let sequential = Self.readSequentially(text)
        #expect(sequential.error?.line == 5)
        for chunkBytes in [1, 1 << 18] { #expect(Self.readInChunks(text, chunkBytes: chunkBytes) == sequential) }
    }

    @Test("a stream error after whole records: their errors come first, then the stream's, at the line reached")
    func streamErrorAfterRecords() {
        let rows = (0..<7_000).map { "t,u\($0)@x,false,none,fido2,,k\($0)\n" }
        let broken = Self.header + "t,u@x,maybe,none,fido2,,k\n" + rows.joined()
        let sequential = Self.readSequentially(broken, maximumBytes: 140_000)
        #expect(sequential.error?.line == 2)
        #expect(Self.readInChunks(broken, chunkBytes: 1 << 18, maximumBytes: 140_000) == sequential)
        // Without the bad row, the limit's error, at the line and column the text had reached.
        let whole = Self.header + rows.joined()
        let limited = Self.readSequentially(whole, maximumBytes: 140_000)
        #expect(limited.error?.message.contains("--max-input-bytes") == true)
        #expect(Self.readInChunks(whole, chunkBytes: 1 << 18, maximumBytes: 140_000) == limited)
    }

    @Test("a stream error right after the CR of a CRLF is placed at the CR, as reading through places it")
    func streamErrorAfterCarriageReturn() throws {
        // Pad the first row until a CR is the last byte of the first 64 KiB read.
        var padding = 0
        var text = ""
        repeat {
            text =
                Self.header.replacingOccurrences(of: "\n", with: "\r\n") + "t,a@x,false,none,fido2,,"
                + String(repeating: "k", count: padding) + "\r\n"
                + (0..<4_000).map { "t,u\($0)@x,false,none,fido2,,k\r\n" }.joined()
            padding += 1
        } while Array(text.utf8)[65_535] != 0x0D && padding < 64
        try #require(Array(text.utf8)[65_535] == 0x0D)
        let sequential = Self.readSequentially(text, maximumBytes: 65_540)
        #expect(sequential.error?.message.contains("--max-input-bytes") == true)
        #expect(Self.readInChunks(text, chunkBytes: 1 << 18, maximumBytes: 65_540) == sequential)
    }

    @Test("quotes left open far apart, and blank lines past the largest chunk, read as sequentially")
    func largestChunks() {
        let rows = (0..<400).map { "t,u\($0)@x,false,none,fido2,,k\($0)\n" }
        let twoQuotes =
            Self.header + rows[..<50].joined() + "t,u50@x,false,none,fi\"do2,,k\n" + rows[51..<350].joined()
            + "t,u350@x,false,none,fi\"do2,,k\n" + rows[351...].joined()
        let blankLines =
            Self.header + rows[..<10].joined() + String(repeating: "\r\n", count: 2_000)
            + rows[10...].joined()
        for text in [twoQuotes, blankLines] {
            let sequential = Self.readSequentially(text)
            #expect(Self.readInChunks(text, chunkBytes: 50, trickle: 7, maximumChunkBytes: 300) == sequential)
        }
        #expect(Self.readSequentially(blankLines).error == nil)
    }

    @Test("a row longer than the largest chunk is refused as such, at its line, not cut into too few fields")
    func rowPastTheLargestChunk() {
        let rows = (0..<20).map { "t,u\($0)@x,false,none,fido2,,k\($0)\n" }
        let long = "t,long@x,false,none,fido2,," + String(repeating: "k", count: 1_000) + "\n"
        let text = Self.header + rows[..<10].joined() + long + rows[10...].joined()
        let chunked = Self.readInChunks(text, chunkBytes: 50, trickle: 7, maximumChunkBytes: 300)
        #expect(chunked.error?.line == 12, "\(String(describing: chunked.error))")
        #expect(chunked.error?.message.contains("a row runs past 300 bytes") == true)
        #expect(chunked.users.count == 10, "the users before it are read")
    }

    @Test("an empty file and a header alone read as sequentially")
    func emptyAndHeaderOnly() {
        for text in ["", "tenant,user,admin,default_method,method,method_id,value", "tenant,user\n"] {
            #expect(Self.readInChunks(text, chunkBytes: 1) == Self.readSequentially(text), "\(text)")
        }
    }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
