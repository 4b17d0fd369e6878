import Foundation
import SecurityInfo
import Testing

@testable import SecurityInfoFormats

/// A user kept as its bytes must be what decoding it gives: the same summary, hence the same findings, and bytes
/// that are what the encoder writes of it. Random and hostile users, under random policies.
@Suite("Users kept as bytes")
struct SummarizedUserTests {
    /// Values chosen to break every value rule, and to be odd where it is allowed.
    static let values: [MethodKind: [String]] = [
        .mobilePhone: [
            "+1 4255550100", "+1 (425) 555-0100", "+14255550100", " +44 20 7946 0958 ", "+1 4255550100x12",
            "4255550100",
            "+999 1234567", "+1 42", "", "+1 425 555 0100 ext", "+٣ 4255550100",
        ],
        .email: [
            "a@home.example", "A.B@Home.Example", "x@t.example", "x@SUB.T.EXAMPLE", "x@contoso.example", "no-at",
            "a@b@c",
            "@b.example", "a@b", "a@-b.example", "a@b.12", " a@b.example ", "ü@b.example", "a b@c.example", "",
        ],
        .hardwareOath: ["SER-1", "abc123", "bad serial", "", String(repeating: "A", count: 65), "Ö1"],
        .securityQuestions: ["3", "5", "2", "-1", "+4", "03", "x", "", " 3", "99999999999999999999"],
        .microsoftAuthenticator: ["Phone", "iPhone of User", "", "Téléphone"],
        .softwareOath: ["Authy", ""], .fido2: ["Key", "YubiKey 5"],
        .officePhone: ["+1 2125550100x103", "+1 2125550100", "x"],
        .alternateMobilePhone: ["+1 2065550100", "+1 2065550100x1", "bad"],
    ]

    static func randomUser(_ index: Int, using random: inout SeededGenerator) -> ExportRecord {
        let names = [
            "user\(index)@t.example", "User\(index)@T.Example", "u\(index)", " u\(index)@t.example", "u\(index)@@x",
        ]
        var user = User(
            name: names.randomElement(using: &random)!, isAdmin: Bool.random(using: &random),
            defaultMethod: DefaultMethod.allCases.randomElement(using: &random)!)
        for _ in 0..<Int.random(in: 0...7, using: &random) {
            let kind = MethodKind.allCases.randomElement(using: &random)!
            let value = values[kind]!.randomElement(using: &random)!
            user.methods.append(
                MethodInstance(kind: kind, id: Bool.random(using: &random) ? "" : "id \(index)", value: value))
        }
        return ExportRecord(tenant: "t\(index % 3)", user: user, line: 0, rowCount: max(user.methods.count, 1))
    }

    static func randomPolicy(using random: inout SeededGenerator) -> TenantPolicy {
        var policy = TenantPolicy()
        policy.enabledMethods = Set(PolicyMethod.allCases.filter { _ in Int.random(in: 0..<4, using: &random) > 0 })
        policy.officePhoneAllowed = Bool.random(using: &random)
        policy.ssprMethodsRequired = Int.random(in: 1...2, using: &random)
        policy.securityQuestionsRegisterCount = Int.random(in: 3...5, using: &random)
        policy.domains = Bool.random(using: &random) ? ["contoso.example"] : []
        policy.allowWorkEmail = Int.random(in: 0..<4, using: &random) == 0
        return policy
    }

    /// Reads `chunk` both ways, `named` users named by a change, and expects the same users and the same error; of
    /// each user kept as bytes, what its decoding gives: the summary, the findings, the encoder's bytes, the name,
    /// key, run hash and place. Returns how many were kept, and the error.
    @discardableResult
    static func expectKeptAsDecoded(
        _ chunk: ExportChunk, named records: some Sequence<ExportRecord>, policy: @escaping (String) -> TenantPolicy,
        encoder: any ExportEncoder, _ label: String = ""
    ) throws -> (summarized: Int, failure: InputError?) {
        let decoded = chunk.read()
        let named = Set(records.map { "\($0.tenant) \($0.user.key)" })
        let read = chunk.read(
            summarizing: Summarizing(
                policy: policy,
                namesUser: { tenant, key, hash in
                    // The hash given is the one the run check files the user under, made once.
                    #expect(hash == UserKeyHash.of(tenant: tenant, userKey: key))
                    return named.contains("\(tenant) \(String(decoding: key, as: UTF8.self))")
                }))
        #expect(read.failure == decoded.failure, "\(label)")
        #expect(read.unfinished.map(ComparableExportRecord.init) == decoded.unfinished.map(ComparableExportRecord.init))
        try #require(read.users.count == decoded.users.count, "\(label)")
        var summarized = 0
        for (user, full) in zip(read.users, decoded.users) {
            guard case .decoded(let record) = full else { Issue.record("the full reading decodes"); continue }
            guard case .summarized(let kept) = user else {
                if case .decoded(let same) = user {
                    #expect(ComparableExportRecord(same) == ComparableExportRecord(record), "\(label)")
                }
                continue
            }
            #expect(!named.contains("\(record.tenant) \(record.user.key)"), "a user a change names is decoded")
            summarized += 1
            let tenantPolicy = policy(record.tenant)
            #expect(kept.summary == UserSummary(record.user, policy: tenantPolicy), "\(record.user)")
            #expect(
                Audit.findings(for: kept.summary, policy: tenantPolicy)
                    == Audit.findings(for: record.user, policy: tenantPolicy))
            var encoded: [UInt8] = []
            try encoder.encode(record, into: &encoded)
            #expect(Array(read.bytes[kept.encoded]) == encoded)
            #expect(kept.name.text(in: read.bytes) == record.user.name)
            #expect(kept.name.withKey(in: read.bytes) { String(decoding: $0, as: UTF8.self) } == record.user.key)
            var key = record.user.key
            #expect(kept.runHash == key.withUTF8 { UserRunIndex.hash(tenant: record.tenant, userKey: $0) })
            #expect((kept.tenant, kept.line, kept.rowCount) == (record.tenant, record.line, record.rowCount))
            #expect((kept.line, kept.nameColumn) == (record.nameLine, record.nameColumn))
        }
        return (summarized, read.failure)
    }

    @Test(
        "summary from bytes == summary from the decoded User, and so are the findings; the bytes are the encoder's",
        arguments: 0..<10)
    func sameAsDecoded(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let policies = (0..<3).map { _ in Self.randomPolicy(using: &random) }
        let policy: (String) -> TenantPolicy = { policies[Int($0.dropFirst())!] }
        let records = (0..<400).map { Self.randomUser($0, using: &random) }
        let text = try writeExport(records).text
        var chunks = try CSVExportChunkReader(
            source: MemoryByteSource(path: "e.csv", text: text), confirming: nil, chunkBytes: 1 << 30)
        let chunk = try #require(try chunks.next())
        // Users 100 to 109 are named by a change: decoded, whatever their bytes.
        let (summarized, failure) = try Self.expectKeptAsDecoded(
            chunk, named: records[100..<110], policy: policy, encoder: CSVExportEncoder())
        #expect(failure == nil)
        // Values with commas or outside ASCII, and users whose rows the encoder would write otherwise, take the full
        // path; most users here are canonical.
        #expect(summarized > 200, "\(summarized) of 400 kept as bytes")
    }

    @Test("XML: a user element kept as bytes has the summary, key hash and bytes of the decoded user", arguments: 0..<4)
    func xmlSameAsDecoded(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let policy = Self.randomPolicy(using: &random)
        let records = (0..<300).map { Self.randomUser($0, using: &random) }.sorted { $0.tenant < $1.tenant }
        let sink = MemoryByteSink()
        var writer = try XMLExportWriter(sink: sink, path: "e.xml")
        for record in records { try writer.write(record) }
        try writer.finish()
        var chunks = try XMLExportChunkReader(
            source: MemoryByteSource(path: "e.xml", text: sink.text), confirming: nil, chunkBytes: 1 << 30)
        let chunk = try #require(try chunks.next())
        let (summarized, failure) = try Self.expectKeptAsDecoded(
            chunk, named: records[100..<110], policy: { _ in policy }, encoder: XMLExportEncoder(path: "e.xml"))
        #expect(failure == nil)
        #expect(summarized > 150, "\(summarized) of 300 kept as bytes")
    }

    /// Random users whose values need no escaping in XML: their elements are canonical.
    static func plainUser(_ index: Int, using random: inout SeededGenerator) -> ExportRecord {
        var record = randomUser(index, using: &random)
        record.user.name = "user\(index)@T\(index % 3).example"
        record.user.methods.removeAll { method in
            !method.value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && !"&<>\"".utf8.contains($0) }
        }
        record.rowCount = max(record.user.methods.count, 1)
        return record
    }

    /// The chunks of an XML export, cut small so that chunks begin inside tenants, end them and open new ones.
    static func xmlChunks(_ records: [ExportRecord], chunkBytes: Int) throws -> [ExportChunk] {
        let sink = MemoryByteSink()
        var writer = try XMLExportWriter(sink: sink, path: "e.xml")
        for record in records { try writer.write(record) }
        try writer.finish()
        var reader = try XMLExportChunkReader(
            source: MemoryByteSource(path: "e.xml", text: sink.text), confirming: nil, chunkBytes: chunkBytes)
        var chunks: [ExportChunk] = []
        while let chunk = try reader.next() { chunks.append(chunk) }
        return chunks
    }

    @Test(
        "XML: a chunk all as the writer writes it is read from its bytes, the same users as node by node",
        arguments: [(0, 1), (1, 700), (2, 3000)])
    func xmlCanonicalChunks(seed: UInt64, chunkBytes: Int) throws {
        var random = SeededGenerator(seed: seed)
        let policies = (0..<3).map { _ in Self.randomPolicy(using: &random) }
        let policy: (String) -> TenantPolicy = { policies[Int($0.dropFirst())!] }
        let records = (0..<300).map { Self.plainUser($0, using: &random) }.sorted { $0.tenant < $1.tenant }
        let named = Set(records.indices.filter { $0 % 7 == 3 }.map { "\(records[$0].tenant) \(records[$0].user.key)" })
        let summarizing = Summarizing(
            policy: policy,
            namesUser: { tenant, key, _ in named.contains("\(tenant) \(String(decoding: key, as: UTF8.self))") })
        let chunks = try Self.xmlChunks(records, chunkBytes: chunkBytes)
        #expect(chunks.count > (chunkBytes < 1000 ? 50 : 5))
        var (summarized, decodedNamed) = (0, 0)
        var read: [ComparableExportRecord] = []
        for chunk in chunks {
            guard case .xml(let document, let origin, _, _) = chunk.content else { throw ChunkKindError() }
            // Every chunk is taken whole from its bytes, not node by node.
            let fromBytes = try #require(
                XMLCanonicalChunk.users(in: document, origin: origin, summarizing: summarizing))
            let nodeByNode = chunk.read()
            #expect(fromBytes.failure == nil && nodeByNode.failure == nil)
            try #require(fromBytes.users.count == nodeByNode.users.count)
            for (user, full) in zip(fromBytes.users, nodeByNode.users) {
                guard case .decoded(let record) = full else { throw ChunkKindError() }
                read.append(ComparableExportRecord(record))
                let isNamed = named.contains("\(record.tenant) \(record.user.key)")
                switch user {
                case .decoded(let fromBytes):
                    #expect(isNamed, "only a user a change names is decoded")
                    #expect(ComparableExportRecord(fromBytes) == ComparableExportRecord(record))
                    #expect((fromBytes.nameLine, fromBytes.nameColumn) == (record.nameLine, record.nameColumn))
                    decodedNamed += 1
                case .summarized(let kept):
                    #expect(!isNamed)
                    summarized += 1
                    #expect(kept.summary == UserSummary(record.user, policy: policy(record.tenant)))
                    var encoded: [UInt8] = []
                    try XMLExportEncoder(path: "e.xml").encode(record, into: &encoded)
                    #expect(Array(fromBytes.bytes[kept.encoded]) == encoded)
                    #expect((kept.tenant, kept.line, kept.rowCount) == (record.tenant, record.line, record.rowCount))
                    var key = record.user.key
                    #expect(kept.runHash == key.withUTF8 { UserRunIndex.hash(tenant: record.tenant, userKey: $0) })
                }
            }
        }
        #expect(read.count == 300 && decodedNamed == named.count && summarized == 300 - named.count)
        // And node by node in chunks is what one reading through gives: lines included.
        let sink = MemoryByteSink()
        var writer = try XMLExportWriter(sink: sink, path: "e.xml")
        for record in records { try writer.write(record) }
        try writer.finish()
        #expect(read == (try readXMLExport(bytes: Array(sink.text.utf8))).map(ComparableExportRecord.init))
    }

    @Test("XML: a chunk with anything the writer would not write is read node by node, as before")
    func xmlNotCanonicalChunks() throws {
        var random = SeededGenerator(seed: 9)
        let records = (0..<40).map { Self.plainUser($0, using: &random) }.sorted { $0.tenant < $1.tenant }
        let sink = MemoryByteSink()
        var writer = try XMLExportWriter(sink: sink, path: "e.xml")
        for record in records { try writer.write(record) }
        try writer.finish()
        let text = sink.text
        let summarizing = Summarizing(policy: { _ in TenantPolicy() }, namesUser: { _, _, _ in false })
        // Each is still a valid export, read the same either way; none is canonical.
        let edits: [(String, String)] = [
            ("admin=\"false\"", "admin=\"False\""), ("\">\n      <method", "\" >\n      <method"),
            ("</method>\n", "</method>\r\n"), ("<user upn=\"", "<user  upn=\""), ("    <user", "\t<user"),
            ("</user>\n", "</user><!-- c -->\n"), ("@T", "&#64;T"), ("  </tenant>", "  </tenant >"),
            ("<securityInfoExport version=\"1\">", "<securityInfoExport version='1'>"),
        ]
        for (target, replacement) in edits {
            guard let range = text.range(of: target) else {
                Issue.record("\(target) not in the export")
                continue
            }
            var edited = text
            edited.replaceSubrange(range, with: replacement)
            var reader = try XMLExportChunkReader(
                source: MemoryByteSource(path: "e.xml", text: edited), confirming: nil, chunkBytes: 1 << 30)
            let chunk = try #require(try reader.next())
            guard case .xml(let document, let origin, _, _) = chunk.content else { throw ChunkKindError() }
            #expect(
                XMLCanonicalChunk.users(in: document, origin: origin, summarizing: summarizing) == nil,
                "\(replacement)")
            let read = chunk.read(summarizing: summarizing)
            #expect(read.failure == nil, "\(replacement): \(String(describing: read.failure))")
            #expect(read.users.count == 40, "\(replacement)")
        }
    }

    @Test("libxml2's check of a chunk: a document it refuses is refused")
    func wellFormedness() {
        func check(_ text: String) -> Bool { Array(text.utf8).withUnsafeBufferPointer(XMLReader.isWellFormed) }
        #expect(check("<a><b x=\"1\">text</b></a>"))
        #expect(check("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a/>\n"))
        for broken in [
            "<a><b></a>", "<a>", "<a x=\"1\" x=\"2\"/>", "<a>&undefined;</a>", "<a>\u{1}</a>", "<a></a><b/>", "",
            "<a x=1/>", "<a>]]></a>",
        ] {
            #expect(!check(broken), "\(broken)")
        }
    }

    @Test("Graph: a line kept as bytes has the summary, key hash and bytes of the decoded user", arguments: 0..<4)
    func graphSameAsDecoded(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let policies = (0..<3).map { _ in Self.randomPolicy(using: &random) }
        let policy: (String) -> TenantPolicy = { policies[Int($0.dropFirst())!] }
        // Graph holds security questions as one count.
        let records = (0..<300).map { index in
            var record = Self.randomUser(index, using: &random)
            let count = ["0", "3", "5", "12"].randomElement(using: &random)!
            record.user.methods =
                record.user.methods.filter { $0.kind != .securityQuestions }
                + (Bool.random(using: &random) ? [MethodInstance(kind: .securityQuestions, value: count)] : [])
            return record
        }
        let sink = MemoryByteSink()
        var writer = GraphExportWriter(sink: sink, path: "e.jsonl")
        for record in records { try writer.write(record) }
        try writer.finish()
        var chunks = GraphExportChunkReader(
            source: MemoryByteSource(path: "e.jsonl", text: sink.text), confirming: nil, chunkBytes: 1 << 30)
        let chunk = try #require(try chunks.next())
        let (summarized, failure) = try Self.expectKeptAsDecoded(
            chunk, named: records[100..<110], policy: policy, encoder: GraphExportEncoder(path: "e.jsonl"))
        #expect(failure == nil)
        // Upns outside ASCII and values with escapes are decoded; most lines are kept.
        #expect(summarized > 150, "\(summarized) of 300 kept as bytes")
    }

    /// A key written with an escape is the same key (`"\u0074enant"` is `"tenant"`): such a line is decoded, not
    /// read from the tape's key bytes, and comes out as the decoded line does, whichever key it is.
    @Test("Graph: a line with a key written with an escape is decoded, with the same outcome")
    func graphEscapedKeys() throws {
        var random = SeededGenerator(seed: 9)
        // Graph holds security questions as one count.
        let records = (0..<200).map { index in
            var record = Self.plainUser(index, using: &random)
            record.user.methods.removeAll { $0.kind == .securityQuestions }
            return record
        }
        let sink = MemoryByteSink()
        var writer = GraphExportWriter(sink: sink, path: "e.jsonl")
        for record in records { try writer.write(record) }
        try writer.finish()
        let escapes = [
            (#""tenant":"#, #""\u0074enant":"#), (#""isAdmin":"#, #""is\u0041dmin":"#),
            (#""methods":"#, #""method\u0073":"#), (#""displayName":"#, #""display\u004eame":"#),
            (
                #""userPreferredMethodForSecondaryAuthentication":"#,
                #""userPreferredMethodForSecondary\u0041uthentication":"#
            ),
        ]
        var escapedLines = 0
        let lines = sink.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, line in
            let (plain, escaped) = escapes[index % escapes.count]
            guard index % 3 == 0, line.contains(plain) else { return String(line) }
            escapedLines += 1
            return line.replacingOccurrences(of: plain, with: escaped)
        }
        var chunks = GraphExportChunkReader(
            source: MemoryByteSource(path: "e.jsonl", text: lines.joined(separator: "\n")), confirming: nil,
            chunkBytes: 1 << 30)
        let chunk = try #require(try chunks.next())
        let (summarized, failure) = try Self.expectKeptAsDecoded(
            chunk, named: [], policy: { _ in TenantPolicy() }, encoder: GraphExportEncoder(path: "e.jsonl"))
        #expect(failure == nil)
        #expect(escapedLines > 40)
        #expect(summarized == records.count - escapedLines, "every line without an escaped key is kept")
    }

    /// Bytes worth putting anywhere in an export: markup, quotes, escapes, breaks, and a letter or digit.
    static let editBytes = Array("<>\"'&/=\\ \n\r\t{}[],:aZ0#!-;".utf8) + [0xC3, 0x00]

    @Test(
        "random edits of a canonical export read the same users and the same first error with and without bytes kept",
        arguments: ["xml", "jsonl", "csv"])
    func editedExports(format: String) throws {
        var random = SeededGenerator(seed: 77)
        // (Graph holds security questions as a count.)
        let records = (0..<40).map { index in
            var record = Self.plainUser(index, using: &random)
            record.user.methods.removeAll { $0.kind == .securityQuestions && Int($0.value).map { $0 < 0 } ?? true }
            return record
        }.sorted { $0.tenant < $1.tenant }
        let sink = MemoryByteSink()
        var writer: any ExportWriter
        switch format {
        case "xml": writer = try XMLExportWriter(sink: sink, path: "e")
        case "jsonl": writer = GraphExportWriter(sink: sink, path: "e")
        default: writer = try CSVExportWriter(sink: sink)
        }
        for record in records { try writer.write(record) }
        try writer.finish()
        let original = Array(sink.text.utf8)
        let policy: (String) -> TenantPolicy = { _ in TenantPolicy() }
        var (summarized, failed) = (0, 0)
        for round in 0..<150 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                let byte = Self.editBytes.randomElement(using: &random)!
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[at] = byte
                case 1: bytes.insert(byte, at: at)
                default: bytes.remove(at: at)
                }
            }
            let source = MemoryByteSource(path: "e", bytes: bytes)
            var reader: any ExportChunkReader
            do {
                switch format {
                case "xml": reader = try XMLExportChunkReader(source: source, confirming: nil, chunkBytes: 400)
                case "jsonl": reader = GraphExportChunkReader(source: source, confirming: nil, chunkBytes: 400)
                default: reader = try CSVExportChunkReader(source: source, confirming: nil, chunkBytes: 400)
                }
                while let chunk = try reader.next() {
                    let (kept, failure) = try Self.expectKeptAsDecoded(
                        chunk, named: records.prefix(3), policy: policy,
                        encoder: writer.encoder, "\(format) round \(round)")
                    summarized += kept
                    if failure != nil {
                        failed += 1
                        break
                    }
                }
            } catch is InputError {
                // The chunk reader's own errors come before any worker's: the same whichever way chunks are read.
                failed += 1
            }
        }
        // Most edits break the file; the rest still hold users kept as bytes beside the edited ones.
        #expect(failed > 20 && summarized > 1000, "\(failed) failed, \(summarized) kept")
    }

    @Test("the findings of a summary: each rule of the audit is met by some user of the random set", arguments: 0..<3)
    func everyFindingMet(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var found: Set<FindingID> = []
        for index in 0..<2000 {
            let user = Self.randomUser(index, using: &random).user
            let policy = Self.randomPolicy(using: &random)
            for finding in Audit.findings(for: user, policy: policy) { found.insert(finding.id) }
        }
        #expect(found == Set(FindingID.allCases))
    }
}

private struct ChunkKindError: Error {}
