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
        let decoded = chunk.read()
        // Users 100 to 109 are named by a change: decoded, whatever their bytes.
        let named = Set(records[100..<110].map { "\($0.tenant) \($0.user.key)" })
        let read = chunk.read(
            summarizing: Summarizing(
                policy: policy, namesUser: { named.contains("\($0) \(String(decoding: $1, as: UTF8.self))") }))
        #expect(decoded.failure == nil && read.failure == nil)
        try #require(read.users.count == decoded.users.count)
        var summarized = 0
        for (user, full) in zip(read.users, decoded.users) {
            guard case .decoded(let record) = full else { Issue.record("the full reading decodes"); continue }
            guard case .summarized(let kept) = user else { continue }
            #expect(!named.contains("\(record.tenant) \(record.user.key)"), "a user a change names is decoded")
            summarized += 1
            let tenantPolicy = policy(record.tenant)
            #expect(kept.summary == UserSummary(record.user, policy: tenantPolicy), "\(record.user)")
            #expect(
                Audit.findings(for: kept.summary, policy: tenantPolicy)
                    == Audit.findings(for: record.user, policy: tenantPolicy))
            var encoded: [UInt8] = []
            try CSVExportEncoder().encode(record, into: &encoded)
            #expect(Array(read.bytes[kept.encoded]) == encoded)
            #expect(kept.name(in: read.bytes) == record.user.name)
            #expect(kept.withKey(in: read.bytes) { String(decoding: $0, as: UTF8.self) } == record.user.key)
            var key = record.user.key
            #expect(kept.runHash == key.withUTF8 { UserRunIndex.hash(tenant: record.tenant, userKey: $0) })
            #expect((kept.tenant, kept.line, kept.rowCount) == (record.tenant, record.line, record.rowCount))
            #expect((kept.line, kept.nameColumn) == (record.nameLine, record.nameColumn))
        }
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
        let decoded = chunk.read()
        let read = chunk.read(summarizing: Summarizing(policy: { _ in policy }, namesUser: { _, _ in false }))
        #expect(decoded.failure == nil && read.failure == nil)
        try #require(read.users.count == decoded.users.count && read.users.count == 300)
        var summarized = 0
        for (user, full) in zip(read.users, decoded.users) {
            guard case .decoded(let record) = full, case .summarized(let kept) = user else { continue }
            summarized += 1
            #expect(kept.summary == UserSummary(record.user, policy: policy), "\(record.user)")
            var encoded: [UInt8] = []
            try XMLExportEncoder(path: "e.xml").encode(record, into: &encoded)
            #expect(Array(read.bytes[kept.encoded]) == encoded)
            #expect((kept.tenant, kept.line, kept.rowCount) == (record.tenant, record.line, record.rowCount))
            var key = record.user.key
            #expect(kept.runHash == key.withUTF8 { UserRunIndex.hash(tenant: record.tenant, userKey: $0) })
        }
        #expect(summarized > 150, "\(summarized) of 300 kept as bytes")
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
