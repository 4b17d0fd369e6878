import SecurityInfo
import Testing

@testable import SecurityInfoEngine

@Suite("Masking and spreadsheet safety")
struct RedactionTests {
    @Test(
        "phone numbers keep the country code and the last two digits",
        arguments: [
            ("+1 4255550100", "+1 XXXXXXXX00"),
            ("+14255550100", "+1 XXXXXXXX00"),
            ("+44 7700900123", "+44 XXXXXXXX23"),
            ("+1 4255550199x123", "+1 XXXXXXXX99xXXX"),
            ("555-0100 (not a number)", "XXX-XX00 (not a number)"),
        ])
    func phones(_ value: String, _ masked: String) {
        #expect(Redaction(reveal: false).value(value, of: .mobilePhone) == masked)
        #expect(Redaction(reveal: true).value(value, of: .mobilePhone) == value)
    }

    @Test(
        "addresses keep the first character and the domain",
        arguments: [("alice@outlook.com", "a***@outlook.com"), ("x@y.example", "x***@y.example"), ("nonsense", "***")])
    func emails(_ value: String, _ masked: String) {
        #expect(Redaction(reveal: false).value(value, of: .email) == masked)
    }

    @Test("device names, serials and counts are not masked")
    func otherValues() {
        let redaction = Redaction(reveal: false)
        #expect(redaction.value("Alice's iPhone", of: .microsoftAuthenticator) == "Alice's iPhone")
        #expect(redaction.value("HW-000123", of: .hardwareOath) == "HW-000123")
        #expect(redaction.value("3", of: .securityQuestions) == "3")
    }

    @Test("before and after: the change's own method shows its value, others their kind, the default its token")
    func describeFacts() {
        let facts: [StateFact] = [
            .method(MethodInstance(kind: .mobilePhone, value: "+1 4255550100")),
            .method(MethodInstance(kind: .microsoftAuthenticator, value: "Phone")),
            .defaultMethod(.push),
        ]
        #expect(
            Redaction(reveal: false).describe(facts, method: .mobilePhone)
                == "+1 XXXXXXXX00; microsoftAuthenticator:Phone; default:push")
    }

    @Test(
        "cells a spreadsheet would run get a leading quote",
        arguments: [
            ("=1+1", "'=1+1"), ("+1 XXXXXXXX00", "'+1 XXXXXXXX00"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"), ("plain", "plain"), ("", ""), ("a=b", "a=b"),
        ])
    func formulas(_ cell: String, _ safe: String) {
        #expect(spreadsheetSafe(cell) == safe)
    }
}
