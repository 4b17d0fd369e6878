import Testing

@testable import SecurityInfoFormats

/// The chunk sizes every chunk-boundary test reads with; `nil` is the reader's default.
private let chunkSizes: [Int?] = [1, 2, 3, 7, nil]

/// An input with something awkward on every line: CRLF and LF, quoted commas, doubled quotes, a blank line, a
/// field over three lines with a CRLF inside, multi-byte UTF-8, empty fields and a last line without a newline.
private let awkwardInput =
    "id,name,note\r\n"
    + "1,\"Zoë, Ünal\",\"says \"\"hi\"\"\"\r\n"
    + "\r\n"
    + "2,名前,\"multi\r\nline\nvalue\"\n"
    + "3,,\"\"\n"
    + "4,last,no newline"

private let awkwardRecords = [
    ReadRecord(["id", "name", "note"], lines: [1, 1, 1], columns: [1, 4, 9]),
    ReadRecord(["1", "Zoë, Ünal", "says \"hi\""], lines: [2, 2, 2], columns: [1, 3, 15]),
    ReadRecord(["2", "名前", "multi\r\nline\nvalue"], lines: [4, 4, 4], columns: [1, 3, 6]),
    ReadRecord(["3", "", ""], lines: [7, 7, 7], columns: [1, 3, 4]),
    ReadRecord(["4", "last", "no newline"], lines: [8, 8, 8], columns: [1, 3, 8]),
]

@Suite("CSV reader")
struct CSVReaderTests {
    // MARK: Records

    @Test("a leading byte order mark is skipped")
    func skipsByteOrderMark() throws {
        let records = try readCSV("\u{FEFF}tenant,user\ncontoso,alice\n").map(ReadRecord.init)
        #expect(
            records == [
                ReadRecord(["tenant", "user"], lines: [1, 1], columns: [1, 8]),
                ReadRecord(["contoso", "alice"], lines: [2, 2], columns: [1, 9]),
            ])
    }

    @Test("a byte order mark after the start is data, not skipped")
    func keepsByteOrderMarkInsideTheFile() throws {
        #expect(try readFields("a\n\u{FEFF}b\n") == [["a"], ["\u{FEFF}b"]])
    }

    @Test("LF and CRLF line ends read the same", arguments: ["\n", "\r\n"])
    func readsLineEnds(lineEnd: String) throws {
        let text = ["h1,h2", "x,y", "\"q\",z"].joined(separator: lineEnd) + lineEnd
        let records = try readCSV(text).map(ReadRecord.init)
        #expect(
            records == [
                ReadRecord(["h1", "h2"], lines: [1, 1], columns: [1, 4]),
                ReadRecord(["x", "y"], lines: [2, 2], columns: [1, 3]),
                ReadRecord(["q", "z"], lines: [3, 3], columns: [1, 5]),
            ])
    }

    @Test("LF and CRLF mixed in one file count one line each")
    func readsMixedLineEnds() throws {
        let records = try readCSV("a\r\nb\nc\r\nd")
        #expect(records.map(\.fields) == [["a"], ["b"], ["c"], ["d"]])
        #expect(records.map(\.line) == [1, 2, 3, 4])
    }

    @Test("a comma inside quotes is part of the field")
    func readsQuotedComma() throws {
        #expect(try readFields("\"a,b\",c\n\",\",\",,\"\n") == [["a,b", "c"], [",", ",,"]])
    }

    @Test("a doubled quote inside quotes is one quote")
    func readsDoubledQuotes() throws {
        #expect(try readFields("\"say \"\"hi\"\"\",\"\"\"\"\n") == [["say \"hi\"", "\""]])
    }

    @Test("line breaks inside quotes are kept as read, CRLF included")
    func readsLineBreaksInsideQuotes() throws {
        #expect(
            try readFields("\"one\ntwo\",\"three\r\nfour\",\"cr\ronly\"\n") == [
                ["one\ntwo", "three\r\nfour", "cr\ronly"]
            ])
    }

    @Test("records after a field over several lines have their own line numbers")
    func countsLinesAfterMultiLineField() throws {
        let records = try readCSV("a,\"1\n2\n3\",b\nnext,row,x\n\"p\r\nq\",r\nlast,1,2\n").map(ReadRecord.init)
        #expect(
            records == [
                ReadRecord(["a", "1\n2\n3", "b"], lines: [1, 1, 3], columns: [1, 3, 4]),
                ReadRecord(["next", "row", "x"], lines: [4, 4, 4], columns: [1, 6, 10]),
                ReadRecord(["p\r\nq", "r"], lines: [5, 6], columns: [1, 4]),
                ReadRecord(["last", "1", "2"], lines: [7, 7, 7], columns: [1, 6, 8]),
            ])
    }

    @Test("blank lines, LF or CRLF, are skipped wherever they are")
    func skipsBlankLines() throws {
        let records = try readCSV("\n\r\na,b\n\n\r\n\n1,2\n\n")
        #expect(records.map(\.fields) == [["a", "b"], ["1", "2"]])
        #expect(records.map(\.line) == [3, 7])
    }

    @Test("empty fields, quoted or not, are empty strings")
    func readsEmptyFields() throws {
        let records = try readCSV(",,\na,,c\n\"\",x\n\"\"\n").map(ReadRecord.init)
        #expect(
            records == [
                ReadRecord(["", "", ""], lines: [1, 1, 1], columns: [1, 2, 3]),
                ReadRecord(["a", "", "c"], lines: [2, 2, 2], columns: [1, 3, 4]),
                ReadRecord(["", "x"], lines: [3, 3], columns: [1, 4]),
                ReadRecord([""], lines: [4], columns: [1]),
            ])
    }

    @Test(
        "a last line without a newline is a record",
        arguments: [
            ("a,b\n1,2", [["a", "b"], ["1", "2"]]),
            ("a,\"quoted, last\"", [["a", "quoted, last"]]),
            ("a,", [["a", ""]]),
            ("solo", [["solo"]]),
        ])
    func readsLastLineWithoutNewline(text: String, expected: [[String]]) throws {
        #expect(try readFields(text) == expected)
    }

    @Test("multi-byte UTF-8 is read whole, and columns count characters, not bytes")
    func readsMultiByteUTF8() throws {
        let records = try readCSV("名前,Ünal,😀x\nÅsa,\"Zoë, 東京\",€\n").map(ReadRecord.init)
        #expect(
            records == [
                ReadRecord(["名前", "Ünal", "😀x"], lines: [1, 1, 1], columns: [1, 4, 9]),
                ReadRecord(["Åsa", "Zoë, 東京", "€"], lines: [2, 2, 2], columns: [1, 5, 15]),
            ])
    }

    @Test(
        "an empty input, or one of only a BOM and blank lines, has no records",
        arguments: ["", "\u{FEFF}", "\n\n", "\u{FEFF}\r\n"])
    func readsNothingFromEmptyInput(text: String) throws {
        #expect(try readCSV(text).isEmpty)
    }

    @Test("the reader's path is the source's")
    func namesItsSource() {
        let reader = CSVReader(source: MemoryByteSource(path: "in/contoso.csv", text: ""))
        #expect(reader.path == "in/contoso.csv")
    }

    // MARK: Chunk boundaries

    @Test("an awkward input reads the same at every chunk size", arguments: chunkSizes)
    func readsAwkwardInputAtChunkSize(chunkSize: Int?) throws {
        #expect(try readCSV(awkwardInput, chunkSize: chunkSize).map(ReadRecord.init) == awkwardRecords)
    }

    @Test("every chunk size from 1 to 60 reads the same records as the default")
    func readsAwkwardInputAtEveryChunkSize() throws {
        let expected = try readCSV(awkwardInput).map(ReadRecord.init)
        for chunkSize in 1...60 {
            let records = try readCSV(awkwardInput, chunkSize: chunkSize).map(ReadRecord.init)
            #expect(records == expected, "chunk size \(chunkSize)")
        }
    }

    @Test("a BOM is skipped at every chunk size, even split across chunks", arguments: chunkSizes)
    func skipsByteOrderMarkAtChunkSize(chunkSize: Int?) throws {
        let records = try readCSV("\u{FEFF}tenant,user\r\ncontoso,alice\r\n", chunkSize: chunkSize)
        #expect(
            records.map(ReadRecord.init) == [
                ReadRecord(["tenant", "user"], lines: [1, 1], columns: [1, 8]),
                ReadRecord(["contoso", "alice"], lines: [2, 2], columns: [1, 9]),
            ])
    }

    @Test("a CRLF split across chunks is one line end", arguments: [1, 2, 3, 4, 5, 7])
    func readsCRLFSplitAcrossChunks(chunkSize: Int) throws {
        // CR is byte 3 and LF byte 4: sizes 1, 2 and 4 split them; 3 and 5 end a chunk just before the CR or LF.
        let records = try readCSV("a,b\r\nc,d\r\n\"e\r\nf\",g\r\nh,i", chunkSize: chunkSize)
        #expect(records.map(\.fields) == [["a", "b"], ["c", "d"], ["e\r\nf", "g"], ["h", "i"]])
        #expect(records.map(\.line) == [1, 2, 3, 5])
    }

    // MARK: Errors

    @Test("an unterminated quote points at its opening quote", arguments: chunkSizes)
    func rejectsUnterminatedQuote(chunkSize: Int?) throws {
        let error = try #require(throws: InputError.self) {
            try readCSV("a,b\nc,\"open\nmore,text\n", chunkSize: chunkSize, path: "x.csv")
        }
        #expect(error.file == "x.csv")
        #expect(error.line == 2)
        #expect(error.column == 3)
        #expect(error.message.contains("never closed"))
    }

    @Test("a quote inside an unquoted field points at the quote", arguments: chunkSizes)
    func rejectsQuoteInsideUnquotedField(chunkSize: Int?) throws {
        let error = try #require(throws: InputError.self) {
            try readCSV("a,b\ncd,e\"f\n", chunkSize: chunkSize, path: "x.csv")
        }
        #expect(error.file == "x.csv")
        #expect(error.line == 2)
        #expect(error.column == 5)
    }

    @Test("a quote inside an unquoted field after multi-byte text counts characters")
    func rejectsQuoteAfterMultiByteText() throws {
        let error = try #require(throws: InputError.self) { try readCSV("h\n名前,x\"y\n") }
        #expect(error.line == 2)
        #expect(error.column == 5)
    }

    @Test("text after a closing quote points at the text", arguments: chunkSizes)
    func rejectsTextAfterClosingQuote(chunkSize: Int?) throws {
        let error = try #require(throws: InputError.self) {
            try readCSV("a,b\n\"x\"y,z\n", chunkSize: chunkSize, path: "x.csv")
        }
        #expect(error.file == "x.csv")
        #expect(error.line == 2)
        #expect(error.column == 4)
    }

    @Test("text after a quote that closes a multi-line field points at the line it is on")
    func rejectsTextAfterClosingQuoteOfMultiLineField() throws {
        let error = try #require(throws: InputError.self) { try readCSV("a\n\"x\ny\" z\n") }
        #expect(error.line == 3)
        #expect(error.column == 3)
    }

    @Test("invalid UTF-8 in a field points at the field", arguments: chunkSizes)
    func rejectsInvalidUTF8(chunkSize: Int?) throws {
        let bytes = Array("a,b\nok,".utf8) + [0xFF, 0xFE] + Array("bad\n".utf8)
        let error = try #require(throws: InputError.self) {
            try readCSV(bytes: bytes, chunkSize: chunkSize, path: "x.csv")
        }
        #expect(error.file == "x.csv")
        #expect(error.line == 2)
        #expect(error.column == 4)
        #expect(error.message.contains("UTF-8"))
    }

    @Test("a multi-byte sequence cut short at the end is invalid UTF-8")
    func rejectsTruncatedUTF8() throws {
        let error = try #require(throws: InputError.self) { try readCSV(bytes: Array("a,".utf8) + [0xE2, 0x82]) }
        #expect(error.line == 1)
        #expect(error.column == 3)
    }

    @Test("invalid UTF-8 in a quoted field over several lines points at the field's start")
    func rejectsInvalidUTF8InMultiLineField() throws {
        let bytes = Array("h,i\nx,\"one\ntwo ".utf8) + [0xC0, 0xAF] + Array("\"\n".utf8)
        let error = try #require(throws: InputError.self) { try readCSV(bytes: bytes) }
        #expect(error.line == 2)
        #expect(error.column == 3)
    }

    @Test("an error prints as file:line:column: message, the form editors jump to")
    func describesErrorWithPlace() throws {
        let error = try #require(throws: InputError.self) { try readCSV("a\n\"open\n", path: "in/x.csv") }
        #expect(error.description == "in/x.csv:2:1: \(error.message)")
    }

    @Test("records before an error are returned; the error comes when its record is read")
    func readsRecordsBeforeAnError() throws {
        var reader = CSVReader(source: MemoryByteSource(path: "x.csv", text: "a,b\nc,d\n\"bad\n"))
        #expect(try reader.next()?.fields == ["a", "b"])
        #expect(try reader.next()?.fields == ["c", "d"])
        #expect(throws: InputError.self) { try reader.next() }
    }

    @Test(
        "a control character other than tab in a field is an error at it, quoted or not, whatever the chunk size",
        arguments: [("a,b\nx,k\u{0}y\n", 2, 4), ("a,b\nx,\"k\u{1}\"\n", 2, 5), ("a\n\"two\nli\u{1B}ne\"\n", 3, 3)])
    func refusesControlCharacters(text: String, line: Int, column: Int) throws {
        for chunkSize in chunkSizes {
            let error = try #require(throws: InputError.self) { try readCSV(text, chunkSize: chunkSize) }
            #expect(error.line == line && error.column == column, "\(error)")
            #expect(error.message.contains("control character"))
        }
    }

    @Test("a tab in a field is data")
    func keepsTabs() throws {
        for chunkSize in chunkSizes {
            #expect(try readCSV("a,b\nx\ty,\"z\t\"\n", chunkSize: chunkSize).last?.fields == ["x\ty", "z\t"])
        }
    }
}
