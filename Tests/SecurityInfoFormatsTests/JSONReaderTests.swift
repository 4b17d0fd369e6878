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
