import Testing

@testable import GraphEmulator

@Suite("The emulator's JSON reader")
struct JSONParserTests {
    @Test("An object parsed and not changed is written back byte for byte")
    func unchangedObjectRoundTrips() throws {
        let text = #"{"b":1.50,"a":"caf\u00e9 \"x\"","c":[true,null,{"d":-2e3}]}"#
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(String(decoding: value.encoded, as: UTF8.self) == text)
    }

    @Test("A changed object keeps its members' order and writes strings escaped")
    func changedObjectIsReencoded() throws {
        guard var object = try JSONParser.parse(Array(#"{"b":1,"a":"\u00e9"}"#.utf8)).object else {
            Issue.record("not an object")
            return
        }
        object["c"] = .string("line\n\"quoted\"")
        #expect(
            String(decoding: JSONValue.object(object).encoded, as: UTF8.self)
                == #"{"b":1,"a":"é","c":"line\n\"quoted\""}"#)
    }

    @Test(
        "Broken text is refused",
        arguments: [#"{"a":}"#, "[1,2", #"{"a":1}x"#, "01", #""\ud800""#, "{\"a\":\"\u{1}\"}"])
    func brokenTextIsRefused(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("Nesting deeper than the limit is refused")
    func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(text.utf8)) }
    }
}
