import SecurityInfo
import Testing

@testable import SecurityInfoFormats

@Suite("JSON strings, scanned eight bytes at a time")
struct JSONReaderTests {
    /// A string's text, written as JSON with escapes (and raw non-ASCII) at random places, reads back as the text,
    /// whatever the length and wherever the escapes fall in a word.
    @Test("strings read back as written, escapes and multi-byte characters anywhere")
    func stringsRoundTrip() throws {
        var random = SeededGenerator(seed: 18)
        let pieces: [(text: String, json: String)] = [
            ("a", "a"), ("Z", "Z"), (" ", " "), ("\"", "\\\""), ("\\", "\\\\"), ("/", "\\/"), ("\n", "\\n"),
            ("\t", "\\t"), ("é", "é"), ("é", "\\u00e9"), ("😀", "\\ud83d\\ude00"), ("\u{7F}", "\u{7F}"),
        ]
        for length in Array(0..<40) + [100, 300] {
            let chosen = (0..<length).map { _ in pieces.randomElement(using: &random)! }
            let text = chosen.map(\.text).joined()
            let json = "[\"" + chosen.map(\.json).joined() + "\", 1]"
            let document = try JSONReader.read(Array(json.utf8), path: "s.json")
            guard case .array(let elements) = document.root.kind else {
                Issue.record("not an array: \(json)")
                continue
            }
            #expect(document.string(elements[0]) == text, "\(json)")
        }
    }

    @Test("a control byte, or the end, anywhere in a string is an error at its place")
    func controlBytesAndEnds() throws {
        for length in 0..<30 {
            for position in 0..<length {
                var inner = Array(repeating: UInt8(ascii: "x"), count: length)
                inner[position] = 0x1F
                let error = try #require(throws: InputError.self) {
                    try JSONReader.read(Array("{\"k\": \"".utf8) + inner + Array("\"}".utf8), path: "c.json")
                }
                #expect(error.message.contains("control character"), "\(error)")
                #expect(error.column == 8 + position, "length \(length), at \(position): \(error)")
            }
            let unended = Array("{\"k\": \"".utf8) + Array(repeating: UInt8(ascii: "y"), count: length)
            let error = try #require(throws: InputError.self) { try JSONReader.read(unended, path: "e.json") }
            #expect(error.message.contains("never ends") && error.column == 7, "\(error)")
        }
    }
}

@Suite("JSON read into a tape")
struct JSONTapeTests {
    @Test("a tape holds every value in file order, its members' keys, and where what it holds ends")
    func tapeShape() throws {
        let json = #"{"a":[1,{"b":null}],"c\u0064":"x","e":true}"#
        var tape = JSONTape()
        let bytes = Array(json.utf8)
        try JSONReader.read(bytes, span: bytes.indices, path: "t.json", into: &tape)
        let kinds = tape.entries.map(\.kind)
        #expect(kinds == [.object, .array, .number, .object, .null, .string, .true])
        #expect(Array(tape.children(of: 0)) == [1, 5, 6])
        #expect(Array(tape.children(of: 1)) == [2, 3])
        #expect(Array(tape.children(of: 3)) == [4])
        let keys = tape.entries.map { String(decoding: bytes[$0.key], as: UTF8.self) }
        #expect(keys == ["", "a", "", "", "b", #"c\u0064"#, "e"])
        #expect(tape.entries.map(\.keyHasEscapes) == [false, false, false, false, false, true, false])
        // Refilled by the next document, its room kept.
        let next = Array(#"[]"#.utf8)
        try JSONReader.read(next, span: next.indices, path: "t.json", into: &tape)
        #expect(tape.entries.map(\.kind) == [.array] && Array(tape.children(of: 0)).isEmpty)
    }

    @Test("the tree made from a tape is the tree read directly: keys decoded, values' bytes kept")
    func treeFromTape() throws {
        let json = #"{"k\u00e9y":[1.5,"s\n",{"z":false}],"n":null}"#
        let document = try JSONReader.read(Array(json.utf8), path: "t.json")
        guard case .object(let members) = document.root.kind, case .array(let elements) = members[0].value.kind
        else {
            Issue.record("not an object holding an array")
            return
        }
        #expect(members.map(\.key) == ["kéy", "n"])
        #expect(members.map(\.keyOffset) == [1, 36])
        #expect(document.text(elements[0]) == "1.5" && document.string(elements[1]) == "s\n")
        #expect(elements[2]["z"].map { document.summary($0) } == "false")
        #expect(members[1].value.isNull)
        // An empty key has its place like any other, in a document that starts inside its buffer.
        let bytes = Array(#"[1] {"x":1,"":[]}"#.utf8)
        let empty = try JSONReader.read(bytes, span: 4..<bytes.count, path: "t.json")
        guard case .object(let second) = empty.root.kind else {
            Issue.record("not an object")
            return
        }
        #expect(second.map(\.key) == ["x", ""] && second.map(\.keyOffset) == [5, 11])
    }

    /// A key repeated as the same text is refused however it is written: escaped, or as canonically equivalent
    /// Unicode (texts compare so); bytes that differ in ASCII are different keys.
    @Test(
        "a key given twice is refused at the second, written plainly, escaped or composed otherwise",
        arguments: [
            (#"{"ab":1,"ab":2}"#, 9), (#"{"ab":1,"a\u0062":2}"#, 9), (#"{"\u0061b":1,"ab":2}"#, 14),
            (#"{"é":1,"e\u0301":2}"#, 8), (#"{"x":{"ab":1},"y":{"c":2,"c":3}}"#, 26), (#"{"a":0, "":1,"":2}"#, 14),
        ])
    func repeatedKeys(json: String, column: Int) {
        #expect {
            try JSONReader.read(Array(json.utf8), path: "t.json")
        } throws: { error in
            guard let error = error as? InputError else { return false }
            return error.description.contains("given twice") && error.description.contains("t.json:1:\(column)")
        }
    }

    @Test("keys that differ are kept, past 16 members too, where a set finds repeats")
    func distinctKeys() throws {
        let keys = (0..<40).map { "k\($0)" } + ["K0", "k0 "]
        let json = "{" + keys.map { "\"\($0)\":1" }.joined(separator: ",") + "}"
        let document = try JSONReader.read(Array(json.utf8), path: "t.json")
        guard case .object(let members) = document.root.kind else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == keys)
        let repeated = "{" + (keys + ["k17"]).map { "\"\($0)\":1" }.joined(separator: ",") + "}"
        #expect(throws: InputError.self) { try JSONReader.read(Array(repeated.utf8), path: "t.json") }
    }
}
