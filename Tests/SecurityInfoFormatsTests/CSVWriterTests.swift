import SecurityInfo
import Testing

@testable import SecurityInfoFormats

/// Writes rows through `CSVWriter` and returns the text.
private func written(_ rows: [[String]]) throws(OutputError) -> String {
    let sink = MemoryByteSink()
    var writer = CSVWriter(sink: sink)
    for row in rows { try writer.write(row) }
    return sink.text
}

/// Pieces of awkward fields: every character RFC 4180 quotes, multi-byte UTF-8, spaces, and the empty string.
private let awkwardPieces = [
    "", ",", "\"", "\"\"", "\r", "\n", "\r\n", " ", "a", "Z9", "é", "名前", "😀", "👍🏽", "+1 425", "€",
    "x,\"y\"\n",
]

/// A random row of 2 to 6 fields, each of 0 to 5 awkward pieces (a row of one empty field has its own test).
private func randomRow(using generator: inout SeededGenerator) -> [String] {
    (0..<Int.random(in: 2...6, using: &generator)).map { _ in
        (0..<Int.random(in: 0...5, using: &generator)).map { _ in
            awkwardPieces.randomElement(using: &generator)!
        }.joined()
    }
}

@Suite("CSV writer")
struct CSVWriterTests {
    @Test(
        "a field is quoted only when it holds a comma, a quote or a line break",
        arguments: [
            ("plain", "plain"),
            ("", ""),
            (" spaced ", " spaced "),
            ("Zoë 名前 😀", "Zoë 名前 😀"),
            ("+1 4255550100", "+1 4255550100"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("\"", "\"\"\"\""),
            ("line\nbreak", "\"line\nbreak\""),
            ("carriage\rreturn", "\"carriage\rreturn\""),
            ("crlf\r\nhere", "\"crlf\r\nhere\""),
        ])
    func quotesOnlyWhenNeeded(field: String, expected: String) throws {
        #expect(try written([[field, "end"]]) == expected + ",end\n")
    }

    @Test("fields are joined by commas, empty ones included")
    func joinsFieldsWithCommas() throws {
        #expect(try written([["a", "", "b,c", ""]]) == "a,,\"b,c\",\n")
    }

    @Test("each row ends with LF, never CRLF, and no BOM is written")
    func endsRowsWithLineFeed() throws {
        let sink = MemoryByteSink()
        var writer = CSVWriter(sink: sink)
        try writer.write(["tenant", "user"])
        try writer.write(["contoso", "alice@contoso.com"])
        #expect(sink.text == "tenant,user\ncontoso,alice@contoso.com\n")
        #expect(!sink.bytes.contains(0x0D))
        #expect(sink.bytes.first == UInt8(ascii: "t"))
    }

    @Test("random rows of awkward fields read back as written", arguments: [1, 2, 42, 2024, 0xDEAD_BEEF] as [UInt64])
    func roundTripsRandomRows(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let rows = (0..<300).map { _ in randomRow(using: &generator) }
        let text = try written(rows)
        #expect(try readFields(text) == rows)
        // The same bytes cut into small chunks must read the same.
        #expect(try readFields(text, chunkSize: 3) == rows)
    }

    @Test("the seeded generator repeats itself and the rows it makes are awkward")
    func generatorIsDeterministicAndAwkward() {
        var first = SeededGenerator(seed: 7)
        var second = SeededGenerator(seed: 7)
        let rows = (0..<200).map { _ in randomRow(using: &first) }
        #expect(rows == (0..<200).map { _ in randomRow(using: &second) })
        let fields = rows.flatMap { $0 }
        for needle in [",", "\"", "\r", "\n", "😀"] {
            #expect(fields.contains { $0.contains(needle) }, "no field holds \(needle.debugDescription)")
        }
        #expect(fields.contains(""))
    }

    @Test("a row of one empty field reads back as that row, not as a blank line")
    func roundTripsSingleEmptyField() throws {
        let rows = [["before"], [""], ["after"]]
        #expect(try readFields(try written(rows)) == rows)
    }
}
