import SecurityInfo
import Testing

@testable import SecurityInfoFormats

private let header = "tenant,user,admin,default_method,method,method_id,value\n"

/// The example of SPEC.md, "Tenant export, CSV".
private let specExample =
    header
    + "contoso,alice@contoso.com,false,push,microsoftAuthenticator,a1f0,Alice's iPhone\n"
    + "contoso,alice@contoso.com,false,push,mobilePhone,,+1 4255550100\n"
    + "contoso,alice@contoso.com,false,push,email,,alice@outlook.com\n"
    + "contoso,alice@contoso.com,false,push,securityQuestions,,3\n"
    + "contoso,bob@contoso.com,true,none,,,\n"

private let alice = User(
    name: "alice@contoso.com", isAdmin: false, defaultMethod: .push,
    methods: [
        MethodInstance(kind: .microsoftAuthenticator, id: "a1f0", value: "Alice's iPhone"),
        MethodInstance(kind: .mobilePhone, value: "+1 4255550100"),
        MethodInstance(kind: .email, value: "alice@outlook.com"),
        MethodInstance(kind: .securityQuestions, value: "3"),
    ])

private let bob = User(name: "bob@contoso.com", isAdmin: true, defaultMethod: .none)

@Suite("CSV export reader")
struct CSVExportReaderTests {
    @Test("the SPEC example reads as one record per user, methods in order")
    func readsSpecExample() throws {
        let records = try readExport(specExample)
        try #require(records.count == 2)
        #expect(records[0].tenant == "contoso")
        #expect(records[0].user == alice)
        #expect(records[0].line == 2)
        #expect(records[0].rowCount == 4)
        #expect(records[1].tenant == "contoso")
        #expect(records[1].user == bob)
        #expect(records[1].line == 6)
        #expect(records[1].rowCount == 1)
    }

    @Test("an export saved by a spreadsheet, with a BOM and CRLF line ends, reads the same")
    func readsSpreadsheetExport() throws {
        let spreadsheet = "\u{FEFF}" + specExample.split(separator: "\n").joined(separator: "\r\n") + "\r\n"
        let records = try readExport(spreadsheet)
        #expect(records.map(\.user) == [alice, bob])
        #expect(records.map(\.line) == [2, 6])
    }

    @Test("a user with an empty method has no methods and one row")
    func readsUserWithoutMethods() throws {
        let records = try readExport(header + "contoso,carol@contoso.com,false,,,,\n")
        try #require(records.count == 1)
        #expect(records[0].user == User(name: "carol@contoso.com", isAdmin: false, defaultMethod: .none))
        #expect(records[0].user.methods.isEmpty)
        #expect(records[0].rowCount == 1)
    }

    @Test("columns are found by name in any order, extra columns ignored")
    func readsColumnsInAnyOrder() throws {
        let text =
            "value,notes,method,User,default_method,method_id, admin ,TENANT\n"
            + "+1 4255550100,\"call after 5, please\",mobilePhone,alice@contoso.com,sms,,false,contoso\n"
            + "Alice's iPhone,,microsoftAuthenticator,alice@contoso.com,sms,a1f0,false,contoso\n"
        let records = try readExport(text)
        try #require(records.count == 1)
        #expect(records[0].tenant == "contoso")
        #expect(
            records[0].user
                == User(
                    name: "alice@contoso.com", isAdmin: false, defaultMethod: .sms,
                    methods: [
                        MethodInstance(kind: .mobilePhone, value: "+1 4255550100"),
                        MethodInstance(kind: .microsoftAuthenticator, id: "a1f0", value: "Alice's iPhone"),
                    ]))
        #expect(records[0].rowCount == 2)
    }

    @Test("method_id is optional: without it, methods have empty ids")
    func readsWithoutMethodIDColumn() throws {
        let records = try readExport(
            "tenant,user,admin,default_method,method,value\n"
                + "contoso,dave@contoso.com,false,sms,mobilePhone,+1 4255550101\n"
        )
        #expect(records.map(\.user.methods) == [[MethodInstance(kind: .mobilePhone, id: "", value: "+1 4255550101")]])
    }

    @Test("method and default_method tokens and admin are read without regard to case")
    func readsTokensWithoutRegardToCase() throws {
        let records = try readExport(header + "contoso,erin@contoso.com,TRUE,VoiceMobile,MOBILEPHONE,,+1 4255550102\n")
        #expect(records.first?.user.isAdmin == true)
        #expect(records.first?.user.defaultMethod == .voiceMobile)
        #expect(records.first?.user.methods.map(\.kind) == [.mobilePhone])
    }

    @Test("a user's rows are matched without regard to case; the first row's spelling is kept")
    func matchesUsersWithoutRegardToCase() throws {
        let text =
            header
            + "contoso,Alice@Contoso.com,false,push,microsoftAuthenticator,a1f0,Alice's iPhone\n"
            + "contoso,alice@contoso.COM,false,push,mobilePhone,,+1 4255550100\n"
            + "contoso,bob@contoso.com,true,none,,,\n"
        let records = try readExport(text)
        try #require(records.count == 2)
        #expect(records[0].user.name == "Alice@Contoso.com")
        #expect(records[0].user.methods.map(\.kind) == [.microsoftAuthenticator, .mobilePhone])
        #expect(records[0].rowCount == 2)
        #expect(records[1].user.name == "bob@contoso.com")
        #expect(records[1].line == 4)
    }

    @Test("one user name in two tenants is two users, not rows apart")
    func readsSameNameInTwoTenants() throws {
        let text =
            header
            + "contoso,alice@example.com,false,none,,,\n"
            + "fabrikam,alice@example.com,false,none,,,\n"
            + "contoso,bob@example.com,false,none,,,\n"
        let records = try readExport(text)
        #expect(records.map(\.tenant) == ["contoso", "fabrikam", "contoso"])
        #expect(records.map(\.line) == [2, 3, 4])
    }

    @Test("the line of a user after a value over several lines is the line it starts on")
    func countsLinesAfterMultiLineValue() throws {
        let text =
            header
            + "contoso,alice@contoso.com,false,push,microsoftAuthenticator,a1f0,\"Alice's\niPhone, \"\"new\"\"\"\n"
            + "contoso,bob@contoso.com,true,none,,,\n"
        let records = try readExport(text)
        #expect(records.map(\.line) == [2, 4])
        #expect(records.first?.user.methods.first?.value == "Alice's\niPhone, \"new\"")
    }

    @Test("a header without rows has no users")
    func readsHeaderOnly() throws {
        #expect(try readExport(header).isEmpty)
    }

    @Test("the reader's path is the source's")
    func namesItsSource() throws {
        let reader = try CSVExportReader(source: MemoryByteSource(path: "exports/contoso.csv", text: header))
        #expect(reader.path == "exports/contoso.csv")
    }

    // MARK: Errors

    @Test("a user's rows apart is an error at the later row that names the first")
    func rejectsRowsApart() throws {
        let text =
            header
            + "contoso,alice@contoso.com,false,push,microsoftAuthenticator,a1f0,Alice's iPhone\n"
            + "contoso,bob@contoso.com,true,none,,,\n"
            + "contoso,ALICE@contoso.com,false,push,mobilePhone,,+1 4255550100\n"
        let error = try #require(throws: InputError.self) { try readExport(text, path: "contoso.csv") }
        #expect(error.file == "contoso.csv")
        #expect(error.line == 4)
        #expect(error.column == 9)
        #expect(error.message.contains("line 2"))
    }

    @Test("admin disagreeing between a user's rows is an error at that cell")
    func rejectsAdminDisagreement() throws {
        let text =
            header
            + "contoso,alice@contoso.com,false,push,microsoftAuthenticator,a1f0,Alice's iPhone\n"
            + "contoso,alice@contoso.com,true,push,mobilePhone,,+1 4255550100\n"
        let error = try #require(throws: InputError.self) { try readExport(text, path: "contoso.csv") }
        #expect(error.file == "contoso.csv")
        #expect(error.line == 3)
        #expect(error.column == 27)
        #expect(error.message.contains("admin"))
        #expect(error.message.contains("line 2"))
    }

    @Test("default_method disagreeing between a user's rows is an error at that cell")
    func rejectsDefaultMethodDisagreement() throws {
        let text =
            header
            + "contoso,alice@contoso.com,false,push,microsoftAuthenticator,a1f0,Alice's iPhone\n"
            + "contoso,alice@contoso.com,false,push,email,,alice@outlook.com\n"
            + "contoso,alice@contoso.com,false,sms,mobilePhone,,+1 4255550100\n"
        let error = try #require(throws: InputError.self) { try readExport(text) }
        #expect(error.line == 4)
        #expect(error.column == 33)
        #expect(error.message.contains("default_method"))
        #expect(error.message.contains("line 2"))
    }

    @Test("a disagreeing cell after a value over several lines is placed on its own line")
    func placesDisagreementAfterMultiLineValue() throws {
        let text =
            "value,tenant,user,admin,default_method,method\n"
            + "one,contoso,alice@contoso.com,false,none,email\n"
            + "\"two\nlines\",contoso,alice@contoso.com,true,none,mobilePhone\n"
        let error = try #require(throws: InputError.self) { try readExport(text) }
        #expect(error.line == 4)
        #expect(error.column == 34)
    }

    @Test(
        "a tenant id outside the grammar is an error at the tenant cell",
        arguments: [
            "../../etc", ".hidden", "-leading-dash", "a/b", "two words", "tenant!", String(repeating: "t", count: 65),
        ])
    func rejectsBadTenantID(tenant: String) throws {
        let error = try #require(throws: InputError.self) {
            try readExport(header + "\(tenant),alice@contoso.com,false,none,,,\n", path: "bad.csv")
        }
        #expect(error.file == "bad.csv")
        #expect(error.line == 2)
        #expect(error.column == 1)
        #expect(error.message.contains(tenant))
    }

    @Test("an empty tenant is an error")
    func rejectsEmptyTenant() throws {
        let error = try #require(throws: InputError.self) {
            try readExport(header + ",alice@contoso.com,false,none,,,\n")
        }
        #expect(error.line == 2)
        #expect(error.column == 1)
    }

    @Test(
        "tenant ids inside the grammar are read",
        arguments: ["a", "0day", "Contoso-1.eu_x", String(repeating: "t", count: 64)])
    func readsGoodTenantID(tenant: String) throws {
        #expect(try readExport(header + "\(tenant),alice@contoso.com,false,none,,,\n").map(\.tenant) == [tenant])
    }

    @Test("an empty user is an error at the user cell")
    func rejectsEmptyUser() throws {
        let error = try #require(throws: InputError.self) { try readExport(header + "contoso,  ,false,none,,,\n") }
        #expect(error.line == 2)
        #expect(error.column == 9)
    }

    @Test(
        "a value or method_id on a row without a method is an error at that cell, not dropped",
        arguments: [
            ("contoso,bob@contoso.com,true,none,,,+1 4255550100\n", "value", 37),
            ("contoso,bob@contoso.com,true,none,,x1,\n", "method_id", 36),
        ])
    func valueWithoutMethod(_ row: String, _ column: String, _ at: Int) {
        #expect {
            try readExport(header + row)
        } throws: { error in
            let error = error as? InputError
            return error?.line == 2 && error?.column == at && error?.message.contains(column) == true
        }
    }

    @Test("an unknown method token is an error at the method cell")
    func rejectsUnknownMethod() throws {
        let text = header + "contoso,alice@contoso.com,false,push,yubikey,,x\n"
        let error = try #require(throws: InputError.self) { try readExport(text) }
        #expect(error.line == 2)
        #expect(error.column == 38)
        #expect(error.message.contains("yubikey"))
    }

    @Test("an unknown default_method is an error at its cell")
    func rejectsUnknownDefaultMethod() throws {
        let error = try #require(throws: InputError.self) {
            try readExport(header + "contoso,alice@contoso.com,false,text,,,\n")
        }
        #expect(error.line == 2)
        #expect(error.column == 33)
        #expect(error.message.contains("text"))
    }

    @Test("an admin other than true or false is an error at its cell")
    func rejectsBadAdmin() throws {
        let error = try #require(throws: InputError.self) {
            try readExport(header + "contoso,alice@contoso.com,yes,none,,,\n")
        }
        #expect(error.line == 2)
        #expect(error.column == 27)
        #expect(error.message.contains("yes"))
    }

    @Test("a row with more fields than the header is an error at the first extra field")
    func rejectsTooManyFields() throws {
        let text = header + "contoso,alice@contoso.com,false,none,,,\n" + "contoso,bob@contoso.com,true,none,,,,extra\n"
        let error = try #require(throws: InputError.self) { try readExport(text, path: "wide.csv") }
        #expect(error.file == "wide.csv")
        #expect(error.line == 3)
        #expect(error.column == 38)
        #expect(error.message.contains("7"))
        #expect(error.message.contains("8"))
    }

    @Test("a row with fewer fields than the header is an error on its line")
    func rejectsTooFewFields() throws {
        let text = header + "contoso,alice@contoso.com,false,none,,,\n" + "contoso,bob@contoso.com,true,none\n"
        let error = try #require(throws: InputError.self) { try readExport(text) }
        #expect(error.line == 3)
        // The last field the row has: where the missing ones should have followed.
        #expect(error.column == 30)
        #expect(error.message.contains("found 4"))
    }

    @Test(
        "a header missing a required column is an error naming it",
        arguments: ["tenant", "user", "admin", "default_method", "method", "value"])
    func rejectsMissingColumn(column: String) throws {
        let names = ["tenant", "user", "admin", "default_method", "method", "method_id", "value"].filter {
            $0 != column
        }
        let text = names.joined(separator: ",") + "\n"
        let error = try #require(throws: InputError.self) { try readExport(text, path: "narrow.csv") }
        #expect(error.file == "narrow.csv")
        #expect(error.line == 1)
        #expect(error.message.contains("'\(column)'"))
    }

    @Test("a column named twice in the header is an error at the second")
    func rejectsDuplicateColumn() throws {
        let error = try #require(throws: InputError.self) {
            try readExport("tenant,user,admin,default_method,method,method_id,value,User\n")
        }
        #expect(error.line == 1)
        #expect(error.column == 57)
    }

    @Test("an empty file is an error at line 1", arguments: ["", "\u{FEFF}", "\n\r\n"])
    func rejectsEmptyFile(text: String) throws {
        let error = try #require(throws: InputError.self) { try readExport(text, path: "empty.csv") }
        #expect(error.file == "empty.csv")
        #expect(error.line == 1)
        #expect(error.column == 1)
        #expect(error.message.contains("empty"))
    }

    @Test("broken quoting in an export is an error with its place")
    func rejectsBrokenQuoting() throws {
        let error = try #require(throws: InputError.self) {
            try readExport(header + "contoso,alice@contoso.com,false,none,,,\"open\n")
        }
        #expect(error.line == 2)
        #expect(error.column == 40)
    }
}

@Suite("CSV export writer")
struct CSVExportWriterTests {
    @Test("writes the canonical header, one row per method, and one empty-method row for a user without any")
    func writesCanonicalRows() throws {
        let twoMethods = User(
            name: "alice@contoso.com", isAdmin: false, defaultMethod: .push,
            methods: [
                MethodInstance(kind: .microsoftAuthenticator, id: "a1f0", value: "Alice's iPhone"),
                MethodInstance(kind: .mobilePhone, value: "+1 4255550100"),
            ])
        let output = try writeExport([
            ExportRecord(tenant: "contoso", user: twoMethods, line: 2, rowCount: 2),
            ExportRecord(tenant: "contoso", user: bob, line: 4, rowCount: 1),
        ])
        #expect(
            output.text
                == header
                + "contoso,alice@contoso.com,false,push,microsoftAuthenticator,a1f0,Alice's iPhone\n"
                + "contoso,alice@contoso.com,false,push,mobilePhone,,+1 4255550100\n"
                + "contoso,bob@contoso.com,true,none,,,\n")
    }

    @Test("with no users, writes the header alone")
    func writesHeaderOnly() throws {
        #expect(try writeExport([]).text == header)
    }

    @Test("quotes values that need it")
    func quotesAwkwardValues() throws {
        let user = User(
            name: "o'neil@contoso.com", defaultMethod: .voiceOffice,
            methods: [MethodInstance(kind: .officePhone, value: "Desk, 2nd \"floor\"")])
        let output = try writeExport([ExportRecord(tenant: "contoso", user: user, line: 2, rowCount: 1)])
        #expect(
            output.text == header
                + "contoso,o'neil@contoso.com,false,voiceOffice,officePhone,,\"Desk, 2nd \"\"floor\"\"\"\n")
    }

    @Test("counts the users and methods it writes, per tenant")
    func countsWrittenPerTenant() throws {
        let carol = User(
            name: "carol@fabrikam.com", defaultMethod: .oath,
            methods: [
                MethodInstance(kind: .softwareOath, id: "s1", value: "token one"),
                MethodInstance(kind: .softwareOath, id: "s2", value: "token two"),
            ])
        let output = try writeExport([
            ExportRecord(tenant: "contoso", user: alice, line: 2, rowCount: 4),
            ExportRecord(tenant: "contoso", user: bob, line: 6, rowCount: 1),
            ExportRecord(tenant: "fabrikam", user: carol, line: 7, rowCount: 2),
        ])
        var contoso = WrittenTotals()
        contoso.users = 2
        contoso.methods = [.microsoftAuthenticator: 1, .mobilePhone: 1, .email: 1, .securityQuestions: 1]
        var fabrikam = WrittenTotals()
        fabrikam.users = 1
        fabrikam.methods = [.softwareOath: 2]
        #expect(output.written == ["contoso": contoso, "fabrikam": fabrikam])
    }

    @Test("writing what the SPEC example reads gives back the same bytes")
    func rewritesSpecExampleUnchanged() throws {
        #expect(try writeExport(try readExport(specExample)).text == specExample)
    }

    @Test("reading what it wrote gives back the same records")
    func roundTripsRecords() throws {
        let awkward = User(
            name: "Zoë.Ünal@contoso.com", isAdmin: true, defaultMethod: .voiceAlternateMobile,
            methods: [
                MethodInstance(kind: .alternateMobilePhone, value: "+44 7700 900123"),
                MethodInstance(kind: .hardwareOath, id: "SN,42", value: "Token \"blue\"\nback-up"),
                MethodInstance(kind: .fido2, id: "k1", value: "YubiKey 5, 名前 😀"),
                MethodInstance(kind: .email, value: ""),
            ])
        let records = [
            ExportRecord(tenant: "contoso", user: alice, line: 2, rowCount: 4),
            ExportRecord(tenant: "contoso", user: bob, line: 6, rowCount: 1),
            ExportRecord(tenant: "woodgrove.eu", user: awkward, line: 7, rowCount: 4),
            ExportRecord(tenant: "woodgrove.eu", user: User(name: "x@woodgrove.eu"), line: 12, rowCount: 1),
        ]
        let read = try readExport(try writeExport(records).text)
        #expect(read.map(\.tenant) == records.map(\.tenant))
        #expect(read.map(\.user) == records.map(\.user))
        #expect(read.map(\.rowCount) == records.map(\.rowCount))
        #expect(read.map(\.line) == records.map(\.line))
    }
}
