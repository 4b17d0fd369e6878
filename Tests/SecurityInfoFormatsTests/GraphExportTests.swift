import Foundation
import SecurityInfo
import Testing

@testable import SecurityInfoFormats

/// The Graph export (GRAPH.md §1): what a line's user is, what is kept exactly as read, what is an error and where,
/// and that reading in chunks gives what reading through gives.
@Suite("Graph export")
struct GraphExportTests {
    static let realistic = ##"""
        {"tenant":"contoso","id":"6e7b768e-07e2-4810-8459-485f84f8f204","userPrincipalName":"alice@contoso.com","isAdmin":true,"securityQuestions":3,"signInPreferences":{"isSystemPreferredAuthenticationMethodEnabled":false,"userPreferredMethodForSecondaryAuthentication":"sms"},"methods":[{"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":"3179e48a-750b-4051-897c-87b9720928f7","phoneNumber":"+1 4255550100","phoneType":"mobile","smsSignInState":"notEnabled"},{"@odata.type":"#microsoft.graph.emailAuthenticationMethod","id":"3ddfcfc8-9383-446f-83cc-3ab9be4be18f","emailAddress":"alice@outlook.com"},{"@odata.type":"#microsoft.graph.microsoftAuthenticatorAuthenticationMethod","id":"ma1","displayName":"Alice's iPhone","deviceTag":"x"},{"@odata.type":"#microsoft.graph.softwareOathAuthenticationMethod","id":"so1"},{"@odata.type":"#microsoft.graph.hardwareOathAuthenticationMethod","id":"hw1","device":{"serialNumber":"HW-1","manufacturer":null}},{"@odata.type":"#microsoft.graph.fido2AuthenticationMethod","id":"fk1","displayName":null},{"@odata.type":"#microsoft.graph.passwordAuthenticationMethod","id":"pw","password":null},{"@odata.type":"#microsoft.graph.windowsHelloForBusinessAuthenticationMethod","id":"wh","displayName":"LAPTOP"},{"@odata.type":"#microsoft.graph.methodGraphAddsLater","id":"z"}],"futureField":[1,{"a":null}]}
        """##

    static func read(_ text: String, path: String = "g.jsonl") throws(InputError) -> [ExportRecord] {
        var reader = GraphExportReader(source: MemoryByteSource(path: path, text: text))
        var records: [ExportRecord] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }

    /// A Graph line holds the questions as a count beside the methods: read back, they come last.
    static func questionsLast(_ user: User) -> User {
        var user = user
        user.methods =
            user.methods.filter { $0.kind != .securityQuestions }
            + user.methods.filter { $0.kind == .securityQuestions }
        return user
    }

    static func write(_ records: [ExportRecord]) throws(OutputError) -> String {
        let sink = MemoryByteSink()
        var writer = GraphExportWriter(sink: sink, path: "out.jsonl")
        for record in records { try writer.write(record) }
        try writer.finish()
        return sink.text
    }

    @Test("a line's user: the nine methods by @odata.type, the default, the questions; other methods kept aside")
    func readsAUser() throws {
        let record = try #require(try Self.read(Self.realistic + "\n").first)
        #expect(record.tenant == "contoso" && record.line == 1)
        let user = record.user
        #expect(user.name == "alice@contoso.com" && user.isAdmin && user.defaultMethod == .sms)
        #expect(
            user.methods == [
                MethodInstance(kind: .mobilePhone, value: "+1 4255550100"),
                MethodInstance(kind: .email, value: "alice@outlook.com"),
                MethodInstance(kind: .microsoftAuthenticator, id: "ma1", value: "Alice's iPhone"),
                MethodInstance(kind: .softwareOath, id: "so1", value: ""),
                MethodInstance(kind: .hardwareOath, id: "hw1", value: "HW-1"),
                MethodInstance(kind: .fido2, id: "fk1", value: ""),
                MethodInstance(kind: .securityQuestions, value: "3"),
            ])
        #expect(user.otherMFAMethodCount == 1, "Windows Hello counts for MFA")
        #expect(record.graph?.objectID == "6e7b768e-07e2-4810-8459-485f84f8f204")
        #expect(
            record.graph?.otherTypes == [
                "passwordAuthenticationMethod", "windowsHelloForBusinessAuthenticationMethod", "methodGraphAddsLater",
            ])
    }

    @Test(
        "the default: none, null, an empty string or absent mean none",
        arguments: [
            ##"{"userPreferredMethodForSecondaryAuthentication":"none"}"##,
            ##"{"userPreferredMethodForSecondaryAuthentication":null}"##,
            ##"{"userPreferredMethodForSecondaryAuthentication":""}"##, ##"{}"##, "null",
        ])
    func noDefault(preferences: String) throws {
        let line = ##"{"tenant":"t","userPrincipalName":"u@t","signInPreferences":"## + preferences + "}"
        #expect(try Self.read(line).first?.user.defaultMethod == DefaultMethod.none)
    }

    @Test("a user unchanged is written as its line, byte for byte; a BOM and CRLF are not part of it")
    func unchangedLineKept() throws {
        let records = try Self.read(
            "\u{FEFF}" + Self.realistic + "\r\n\r\n" + ##"{"userPrincipalName":"b@t","tenant":"t"}"##)
        #expect(records.map(\.line) == [1, 3])
        #expect(
            try Self.write(records) == Self.realistic + "\n" + ##"{"userPrincipalName":"b@t","tenant":"t"}"## + "\n")
    }

    @Test("a user changed: only what changed is rewritten, every other member and method object as read")
    func changedLineRewritten() throws {
        var record = try #require(try Self.read(Self.realistic).first)
        var user = record.user
        user.methods[0].value = "+1 4255550199"  // edit the mobile phone
        user.methods.remove(at: 2)  // delete the authenticator
        user.methods.append(MethodInstance(kind: .officePhone, value: "+1 4255550122x12"))
        user.defaultMethod = .voiceOffice
        record.user = user
        let text = try Self.write([record])
        // The untouched pieces, byte for byte.
        for piece in [
            ##""emailAddress":"alice@outlook.com"}"##,
            ##"{"@odata.type":"#microsoft.graph.passwordAuthenticationMethod","id":"pw","password":null}"##,
            ##""futureField":[1,{"a":null}]"##, ##""isSystemPreferredAuthenticationMethodEnabled":false"##,
            ##""phoneNumber":"+1 4255550199","phoneType":"mobile","smsSignInState":"notEnabled"}"##,
        ] {
            #expect(text.contains(piece), "\(piece)")
        }
        #expect(!text.contains("Alice's iPhone"))
        #expect(text.contains(##""userPreferredMethodForSecondaryAuthentication":"voiceOffice""##))
        #expect(
            text.contains(
                ##"{"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":"e37fc753-ff3b-4958-9484-eaa9425c82bc","phoneNumber":"+1 4255550122x12","phoneType":"office"}"##
            ))
        // And it reads back as the user it was written from.
        let again = try #require(try Self.read(text).first)
        #expect(again.user == Self.questionsLast(user))
    }

    @Test("a CSV user written as Graph would give it reads back the same; the questions as a count")
    func fromCSV() throws {
        let records = try readExport(
            """
            tenant,user,admin,default_method,method,method_id,value
            t1,a@t1.test,true,oath,softwareOath,s1,Authy
            t1,a@t1.test,true,oath,securityQuestions,,4
            t1,a@t1.test,true,oath,hardwareOath,h1,"HW, ""9"" x"
            t1,b@t1.test,false,none,,,

            """)
        let back = try Self.read(try Self.write(records))
        #expect(back.map(\.user) == records.map(\.user).map(Self.questionsLast))
        #expect(back.map(\.tenant) == ["t1", "t1"])
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var line: String
        var column: Int
        var words: String
    }

    static let broken: [Broken] = [
        .init(testDescription: "not an object", line: "[1]", column: 1, words: "one user's JSON object"),
        .init(
            testDescription: "nested too deep",
            line: ##"{"tenant":"t","userPrincipalName":"u","x":"##
                + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "}",
            column: 74, words: "nested deeper"),
        .init(
            testDescription: "a huge count",
            line: ##"{"tenant":"t","userPrincipalName":"u","securityQuestions":1e400}"##,
            column: 59, words: "securityQuestions: expected a count"),
        .init(
            testDescription: "a count of 20 digits",
            line: ##"{"tenant":"t","userPrincipalName":"u","securityQuestions":12345678901234567890}"##, column: 59,
            words: "expected a count"),
        .init(
            testDescription: "a duplicate key", line: ##"{"tenant":"t","userPrincipalName":"u","tenant":"v"}"##,
            column: 39, words: "given twice"),
        .init(
            testDescription: "a tenant that climbs folders", line: ##"{"tenant":"../x","userPrincipalName":"u"}"##,
            column: 11, words: "tenant: '../x' is not"),
        .init(testDescription: "no user", line: ##"{"tenant":"t"}"##, column: 1, words: "userPrincipalName is missing"),
        .init(
            testDescription: "unknownFutureValue as the default",
            line:
                ##"{"tenant":"t","userPrincipalName":"u","signInPreferences":{"userPreferredMethodForSecondaryAuthentication":"unknownFutureValue"}}"##,
            column: 108, words: "is not one of"),
        .init(
            testDescription: "a phone type Graph does not have",
            line:
                ##"{"tenant":"t","userPrincipalName":"u","methods":[{"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","phoneNumber":"+1 4255550100","phoneType":"pager"}]}"##,
            column: 152, words: "phoneType"),
        .init(
            testDescription: "a method without its type",
            line: ##"{"tenant":"t","userPrincipalName":"u","methods":[{"id":"x"}]}"##, column: 50,
            words: "without its @odata.type"),
        .init(
            testDescription: "a hardware token without its serial",
            line:
                ##"{"tenant":"t","userPrincipalName":"u","methods":[{"@odata.type":"#microsoft.graph.hardwareOathAuthenticationMethod","id":"h","device":{}}]}"##,
            column: 50, words: "device.serialNumber"),
        .init(
            testDescription: "a trailing comma", line: ##"{"tenant":"t","userPrincipalName":"u",}"##, column: 39,
            words: "no trailing comma"),
    ]

    @Test("a broken line is an error at its line and column, in chunks as read through", arguments: broken)
    func brokenLine(_ broken: Broken) throws {
        let good = ##"{"tenant":"t","userPrincipalName":"ok@t"}"##
        let text = good + "\n" + good.replacingOccurrences(of: "ok@", with: "ok2@") + "\n" + broken.line + "\n"
        let error = try #require(throws: InputError.self) { try Self.read(text) }
        #expect(error.line == 3 && error.column == broken.column, "\(error)")
        #expect(error.message.contains(broken.words), "\(error)")
        for chunkBytes in [1, 30, 1 << 18] {
            #expect(Self.readInChunks(text, chunkBytes: chunkBytes).error == error, "chunks of \(chunkBytes)")
        }
    }

    @Test("invalid UTF-8 and a last line cut short are errors at their place")
    func invalidBytes() throws {
        let good = ##"{"tenant":"t","userPrincipalName":"ok@t"}"##
        var bytes = Array((good + "\n" + ##"{"tenant":"t","userPrincipalName":"b"##).utf8) + [0xC3, 0x28]
        bytes += Array(##"@t"}"##.utf8)
        var reader = GraphExportReader(source: MemoryByteSource(path: "g.jsonl", bytes: bytes))
        _ = try reader.next()
        let error = try #require(throws: InputError.self) { try reader.next() }
        #expect(error.line == 2 && error.column == 37 && error.message.contains("UTF-8"), "\(error)")
        let cut = try #require(throws: InputError.self) { try Self.read(good + "\n" + ##"{"tenant":"t","user"##) }
        #expect(cut.line == 2 && cut.message.contains("never ends"), "\(cut)")
    }

    @Test("a user met twice in a tenant is an error at the second, naming the first")
    func repeatedUser() throws {
        let line = ##"{"tenant":"t","userPrincipalName":"u@t"}"##
        let text =
            line + "\n" + ##"{"tenant":"t","userPrincipalName":"v@t"}"## + "\n"
            + line.uppercased()
            .replacingOccurrences(of: "\"T\"", with: "\"t\"").replacingOccurrences(of: "TENANT", with: "tenant")
            .replacingOccurrences(of: "USERPRINCIPALNAME", with: "userPrincipalName") + "\n"
        let error = try #require(throws: InputError.self) { try Self.read(text) }
        #expect(error.line == 3 && error.message.contains("first at line 1"), "\(error)")
        #expect(Self.readInChunks(text, chunkBytes: 1).error == error)
    }

    @Test("generated Graph exports read in chunks of any size give the users reading through gives", arguments: 0..<4)
    func chunksAsReadThrough(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var text = random.chance(0.5) ? "\u{FEFF}" : ""
        for index in 0..<200 {
            let lineEnd = random.pick(["\n", "\r\n", "\n\n"])
            text += Self.realistic.replacingOccurrences(of: "alice@", with: "user\(index)@") + lineEnd
        }
        let sequential = try Self.read(text).map(ExportChunksTests.describe)
        for chunkBytes in [1, 100, 5_000, 1 << 18] {
            let chunked = Self.readInChunks(text, chunkBytes: chunkBytes)
            #expect(chunked.error == nil)
            #expect(chunked.users == sequential, "chunks of \(chunkBytes)")
        }
    }

    @Test("a line longer than the largest chunk is refused as such")
    func lineTooLong() {
        let long = ##"{"tenant":"t","userPrincipalName":"u","x":""## + String(repeating: "a", count: 2_000) + ##""}"##
        let read = Self.readInChunks(
            ##"{"tenant":"t","userPrincipalName":"ok"}"## + "\n" + long + "\n", chunkBytes: 10, maximumChunkBytes: 500)
        #expect(read.users.count == 1)
        #expect(read.error?.line == 2 && read.error?.message.contains("a line runs past") == true)
    }

    @Test("by default a line is refused past 2 MiB, a bound on the JSON a worker builds of it; 1 MiB is read")
    func lineLimitByDefault() throws {
        func line(_ count: Int) -> [UInt8] {
            let start = Array(##"{"tenant":"t","userPrincipalName":"u","x":""##.utf8)
            return start + Array(repeating: UInt8(ascii: "a"), count: count - start.count - 3) + Array(##""}"##.utf8)
                + [0x0A]
        }
        // Past the limit by more than one read of the stream (64 KiB), where both readers look.
        let limit = 2 << 20
        for (count, isRefused) in [(limit / 2, false), (limit + (128 << 10), true)] {
            let bytes = line(Int(count))
            let chunks = ExportChunksTests.readChunks { () throws(InputError) in
                GraphExportChunkReader(source: memorySource(bytes, path: "g.jsonl"), confirming: nil)
            }
            #expect((chunks.error != nil) == isRefused, "\(count) bytes: \(String(describing: chunks.error))")
            #expect(chunks.error.map { $0.line == 1 && $0.message.contains("2 MiB") } ?? true)
            // The reader that reads a whole file (convert, migrate) holds to the same limit.
            var reader = GraphExportReader(source: memorySource(bytes, path: "g.jsonl"))
            var refusedWhole = false
            do throws(InputError) { _ = try reader.next() } catch { refusedWhole = error.message.contains("2 MiB") }
            #expect(refusedWhole == isRefused, "\(count) bytes, read whole")
        }
    }

    static func readInChunks(_ text: String, chunkBytes: Int, maximumChunkBytes: Int = 64 << 20)
        -> ExportChunksTests.Read
    {
        ExportChunksTests.readChunks { () throws(InputError) in
            GraphExportChunkReader(
                source: memorySource(Array(text.utf8), path: "g.jsonl", trickle: 7), confirming: nil,
                chunkBytes: chunkBytes, maximumChunkBytes: maximumChunkBytes)
        }
    }
}
