import SecurityInfo
import Testing

@testable import SecurityInfoFormats

private let canonicalHeader = "change_id,tenant,user,operation,method,method_id,value,expect\n"

@Suite("CSV change file reader")
struct ChangeFileTests {
    @Test("the SPEC example reads as one request per row")
    func readsSpecExample() throws {
        let text =
            canonicalHeader
            + "c1,contoso,alice@contoso.com,edit,mobilePhone,,+1 4255550199,+1 4255550100\n"
            + "c2,contoso,alice@contoso.com,set-default,,,sms,\n"
            + "c3,contoso,bob@contoso.com,require-reregister,,,,\n"
        let file = try readChangeFile(text, path: "in/changes.csv")
        #expect(file.path == "in/changes.csv")
        #expect(file.header == ChangeFile.columns)
        #expect(
            file.rows.map(\.request) == [
                ChangeRequest(
                    line: 2, changeID: "c1", tenant: "contoso", user: "alice@contoso.com", operation: "edit",
                    method: "mobilePhone", value: "+1 4255550199", expect: "+1 4255550100"),
                ChangeRequest(
                    line: 3, changeID: "c2", tenant: "contoso", user: "alice@contoso.com", operation: "set-default",
                    value: "sms"),
                ChangeRequest(
                    line: 4, changeID: "c3", tenant: "contoso", user: "bob@contoso.com",
                    operation: "require-reregister"),
            ])
        #expect(file.extraColumns.isEmpty)
    }

    @Test("columns are found by name in any order and case")
    func readsColumnsInAnyOrder() throws {
        let text =
            "Operation,user,value,TENANT,change_id,expect,method_id, method \n"
            + "delete,alice@contoso.com,,contoso,c9,Alice's iPhone,a1f0,microsoftAuthenticator\n"
        let file = try readChangeFile(text)
        #expect(
            file.rows.map(\.request) == [
                ChangeRequest(
                    line: 2, changeID: "c9", tenant: "contoso", user: "alice@contoso.com", operation: "delete",
                    method: "microsoftAuthenticator", methodID: "a1f0", expect: "Alice's iPhone")
            ])
        #expect(
            file.changeFileFields(of: file.rows[0]) == [
                "c9", "contoso", "alice@contoso.com", "delete", "microsoftAuthenticator", "a1f0", "",
                "Alice's iPhone",
            ])
    }

    @Test("only tenant, user and operation are required; absent columns read as empty")
    func readsWithoutOptionalColumns() throws {
        let file = try readChangeFile("tenant,user,operation\ncontoso,bob@contoso.com,require-reregister\n")
        try #require(file.rows.count == 1)
        #expect(
            file.rows[0].request
                == ChangeRequest(line: 2, tenant: "contoso", user: "bob@contoso.com", operation: "require-reregister"))
        #expect(file.extraColumns.isEmpty)
        #expect(
            file.changeFileFields(of: file.rows[0]) == [
                "", "contoso", "bob@contoso.com", "require-reregister", "", "", "", "",
            ])
    }

    @Test("a header missing a required column is an error naming it", arguments: ["tenant", "user", "operation"])
    func rejectsMissingColumn(column: String) throws {
        let names = ChangeFile.columns.filter { $0 != column }
        let error = try #require(throws: InputError.self) {
            try readChangeFile(names.joined(separator: ",") + "\n", path: "changes.csv")
        }
        #expect(error.file == "changes.csv")
        #expect(error.line == 1)
        #expect(error.message.contains("'\(column)'"))
    }

    @Test("extra columns are kept, in their order, after the eight canonical ones")
    func keepsExtraColumns() throws {
        let text =
            "ticket,change_id,tenant,user,operation,method,method_id,value,expect,Owner\n"
            + "T-1,c1,contoso,alice@contoso.com,edit,mobilePhone,,+1 4255550199,+1 4255550100,\"Ann, IT\"\n"
        let file = try readChangeFile(text)
        try #require(file.rows.count == 1)
        #expect(file.extraColumns == ["ticket", "Owner"])
        #expect(
            file.rows[0].fields == [
                "T-1", "c1", "contoso", "alice@contoso.com", "edit", "mobilePhone", "", "+1 4255550199",
                "+1 4255550100", "Ann, IT",
            ])
        #expect(
            file.changeFileFields(of: file.rows[0]) == [
                "c1", "contoso", "alice@contoso.com", "edit", "mobilePhone", "", "+1 4255550199", "+1 4255550100",
                "T-1", "Ann, IT",
            ])
    }

    @Test("a rejected.csv fed back in loses its rule and message columns and keeps the rest")
    func readsFedBackRejectedFile() throws {
        let text =
            "change_id,tenant,user,operation,method,method_id,value,expect,ticket,Rule,MESSAGE\n"
            + "c1,contoso,alice@contoso.com,add,mobilePhone,,+1 425,,T-7,R-PHONE-FORMAT,\"not E.164, fix it\"\n"
        let file = try readChangeFile(text)
        try #require(file.rows.count == 1)
        #expect(file.extraColumns == ["ticket"])
        #expect(
            file.changeFileFields(of: file.rows[0]) == [
                "c1", "contoso", "alice@contoso.com", "add", "mobilePhone", "", "+1 425", "", "T-7",
            ])
    }

    @Test("each row knows the line it starts on, after blank lines and values over several lines")
    func recordsLineOfEachRow() throws {
        let text =
            canonicalHeader
            + "c1,contoso,alice@contoso.com,add,email,,\"first\nsecond\",\n"
            + "\n"
            + "c2,contoso,alice@contoso.com,delete,email,,,\n"
            + ",contoso,bob@contoso.com,require-reregister,,,,"
        let file = try readChangeFile(text)
        #expect(file.rows.map(\.request.line) == [2, 5, 6])
        #expect(file.rows.map(\.request.name) == ["c1", "c2", "line:6"])
        #expect(file.rows.first?.request.value == "first\nsecond")
    }

    @Test("two rows with one non-empty change id are an error at the second, naming the first's line")
    func rejectsDuplicateChangeID() throws {
        let text =
            "tenant,change_id,user,operation\n"
            + "contoso,c1,alice@contoso.com,require-reregister\n"
            + "contoso,c2,alice@contoso.com,require-reregister\n"
            + "contoso,c1,bob@contoso.com,require-reregister\n"
        let error = try #require(throws: InputError.self) { try readChangeFile(text, path: "dup.csv") }
        #expect(error.file == "dup.csv")
        #expect(error.line == 4)
        #expect(error.column == 9)
        #expect(error.message.contains("c1"))
        #expect(error.message.contains("line 2"))
    }

    @Test("an empty change id may appear on any number of rows; each is named by its line")
    func allowsEmptyChangeIDTwice() throws {
        let text =
            canonicalHeader
            + ",contoso,alice@contoso.com,require-reregister,,,,\n"
            + ",contoso,bob@contoso.com,require-reregister,,,,\n"
        let file = try readChangeFile(text)
        #expect(file.rows.map(\.request.name) == ["line:2", "line:3"])
    }

    @Test("fields are kept as read: an unknown operation and spaces in a value are the rule engine's to judge")
    func keepsFieldsAsRead() throws {
        let text = canonicalHeader + "c1,contoso,alice@contoso.com,Transmogrify,mobilePhone,, +1 425 ,\n"
        let file = try readChangeFile(text)
        try #require(file.rows.count == 1)
        #expect(file.rows[0].request.operation == "Transmogrify")
        #expect(file.rows[0].request.value == " +1 425 ")
        #expect(file.changeFileFields(of: file.rows[0])[6] == " +1 425 ")
    }

    @Test("a row with a wrong number of fields is an error with its line and column")
    func rejectsWrongFieldCount() throws {
        let text = canonicalHeader + "c1,contoso,alice@contoso.com,delete,email,,,,surplus\n"
        let error = try #require(throws: InputError.self) { try readChangeFile(text, path: "wide.csv") }
        #expect(error.file == "wide.csv")
        #expect(error.line == 2)
        #expect(error.column == 46)
    }

    @Test("an empty change file is an error")
    func rejectsEmptyFile() throws {
        let error = try #require(throws: InputError.self) { try readChangeFile("", path: "none.csv") }
        #expect(error.file == "none.csv")
        #expect(error.line == 1)
        #expect(error.message.contains("empty"))
    }

    @Test("a header without rows has no changes")
    func readsHeaderOnly() throws {
        #expect(try readChangeFile(canonicalHeader).rows.isEmpty)
    }
}

@Suite("Change rows, held as bytes")
struct ChangeRowsTests {
    @Test("rows read back with their fields and requests, in any column order, with extra columns and empty fields")
    func readBack() {
        var rows = ChangeRows(header: [" Tenant", "note", "USER", "operation", "change_id", "value"])
        rows.append(fields: [" contoso ", "x,y", " Zoë@contoso.com", "add", " c1 ", " +1 425 "], line: 7)
        rows.append(fields: ["", "", "", "", "", ""], line: 9)
        #expect(rows.count == 2)
        #expect(rows[0].fields == [" contoso ", "x,y", " Zoë@contoso.com", "add", " c1 ", " +1 425 "])
        #expect(
            rows[0].request
                == ChangeRequest(
                    line: 7, changeID: "c1", tenant: "contoso", user: "Zoë@contoso.com", operation: "add",
                    value: " +1 425 "))
        #expect(rows[1].fields == ["", "", "", "", "", ""])
        #expect(rows[1].request == ChangeRequest(line: 9, tenant: "", user: "", operation: ""))
    }

    @Test("long fields and large line numbers read back (lengths over one and two bytes)")
    func longFields() {
        var rows = ChangeRows(header: ChangeFile.columns)
        let long = String(repeating: "é", count: 100), longer = String(repeating: "x", count: 20_000)
        rows.append(fields: ["c1", "t", "u@t.example", "add", "email", "", long, longer], line: 3_000_000_000)
        rows.append(fields: ["c2", "t", "u@t.example", "delete"], line: 128)
        #expect(rows[0].fields == ["c1", "t", "u@t.example", "add", "email", "", long, longer])
        #expect(rows[0].request.line == 3_000_000_000)
        #expect(rows[0].request.value == long)
        #expect(rows[1].fields == ["c2", "t", "u@t.example", "delete"])
        #expect(rows[1].request.line == 128)
        #expect(rows[1].request.value.isEmpty)
    }

    @Test("a row made elsewhere keeps its own request when its fields do not give it")
    func madeElsewhere() {
        let made = ChangeRequest(line: 0, changeID: "g1", tenant: "t", user: "u@t.example", operation: "delete")
        let file = ChangeFile(
            path: "made",
            rows: [
                ChangeRow(request: made, fields: []),
                ChangeRow(request: made, fields: ["g1", "t", "u@t.example", "delete", "", "", "", ""]),
                ChangeRow(request: made, fields: ["g2", "t", "u@t.example", "delete", "", "", "", ""]),
            ])
        #expect(file.rows.map(\.request) == [made, made, made])
        #expect(file.rows[0].fields.isEmpty)
        #expect(file.rows[2].fields[0] == "g2")
    }
}
