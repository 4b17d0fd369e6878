internal import Glibc

/// Cuts an XML export into chunks of whole users for the workers to parse, each with a libxml2 reader of its own:
/// parsing on the one reading thread held an XML run to that thread's speed.
///
/// Only the markup is looked at: comments, CDATA sections, processing instructions and quoted attribute values are
/// stepped over whole, and the elements open are tracked by their tags. Past `chunkBytes`, a chunk ends after the
/// first `</user>` (or `<user/>`) that leaves a tenant open, and the line feed right after it. A chunk is parsed as a
/// document of its own: the start tags of the root and the tenant open around it before it, their end tags after it
/// (`XMLChunkOrigin`), so each worker's reader checks what reading the file through would, and the first error in
/// file order is the first chunk's. The last chunk gets no end tags, even when it is empty: a file cut short after a user stays an error.
struct XMLExportChunkReader: ExportChunkReader {

    /// An element open at the scan. For the root and the tenant (the prefix of later chunks, and the only elements
    /// open at a cut) its name and its start tag, line breaks made spaces (as attribute values have them) so the
    /// prefix is one line; deeper elements are only counted.
    private struct OpenElement {
        var name: [UInt8]
        var startTag: [UInt8] = []
        /// The line its `<` is on, as libxml2 counts lines (for its messages that name it); root and tenant only.
        var line = 0
    }

    private let source: any ByteSource
    private let check: ExportRunCheck
    private let sizes: ChunkSizes
    /// The reader's cursors over the bytes read, which must agree (`checkInvariants()`, in debug builds).
    private struct State {
        /// Bytes read and not yet handed out; they begin at `pendingOrigin`, inside the elements of `pendingOpen`.
        var pending: [UInt8] = []
        var pendingOrigin = XMLChunkOrigin()
        var pendingOpen: [OpenElement] = []
        /// Whether `pending` begins the file: a BOM's lead byte is no character only there.
        var isAtFileStart = true
        /// `pending[..<scanned]` is scanned; it ends outside any markup, inside the elements of `open`.
        var scanned = 0
        var open: [OpenElement] = []
        /// Line feeds in `pending[..<lineFeedsCountedTo]`: the lines of the root's and tenants' start tags.
        var lineFeedsCountedTo = 0
        var lineFeeds = 0
        /// A markup the bytes read so far end inside is scanned again only once this many bytes are pending: twice
        /// its length so far, so a comment or quote left open costs time in proportion to its length, not its
        /// square.
        var rescanAt = 0
        var isAtEnd = false
        var isFinished = false

        func checkInvariants() {
            #if DEBUG
                precondition((0...pending.count).contains(scanned), "the scan is within the bytes read")
                precondition(lineFeedsCountedTo <= scanned, "line feeds are counted in scanned bytes only")
                precondition(
                    lineFeeds == pending[..<lineFeedsCountedTo].count { $0 == 0x0A }, "the line feeds counted")
                precondition(!isFinished || pending.isEmpty, "nothing pending once finished")
                precondition(
                    (open.prefix(2) + pendingOpen.prefix(2)).allSatisfy { !$0.startTag.isEmpty },
                    "the root and the tenant, which prefix a chunk, keep their start tags")
            #endif
        }
    }

    private var state = State()
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)

    init(
        source: any ByteSource, confirming: Set<String>?, chunkBytes: Int = ChunkSizes.standard.target,
        maximumChunkBytes: Int = ChunkSizes.standard.maximum
    ) throws(InputError) {
        self.source = source
        sizes = ChunkSizes(target: chunkBytes, maximum: maximumChunkBytes)
        let path = source.path
        check = ExportRunCheck(confirming: confirming) { name, line, _, earlier in
            XMLExportReader.repeated(name: name, path: path, line: line, earlierLine: earlier)
        }
    }

    var path: String { source.path }
    var runCheck: ExportRunCheck? { check }
    var unconfirmedRepeats: Set<String> { check.unconfirmed }

    mutating func next() throws(InputError) -> ExportChunk? {
        state.checkInvariants()
        guard !state.isFinished else { return nil }
        while true {
            if state.isAtEnd || state.pending.count >= state.rescanAt, let cut = scanForCut() { return emit(upTo: cut) }
            if state.isAtEnd { return emitLast(failure: nil) }
            if state.pending.count >= sizes.maximum {
                // Handed to a worker like a stream error: an error its reader meets before the limit comes first.
                let limit = sizes.maximumText
                return emitLast(
                    failure: InputError(
                        file: path,
                        "no <user> ends within \(limit) from line \(state.pendingOrigin.line): no user's elements run that long (is a comment, CDATA section or quote left open?)"
                    ))
            }
            do { try readMore() } catch {
                // What was read goes to a worker, the error after it, as libxml2 would meet them reading through.
                return emitLast(failure: error)
            }
        }
    }

    /// The users of one chunk's document (`ExportChunk.read()`), on a worker.
    static func users(
        in document: [UInt8], origin: XMLChunkOrigin, path: String, failure: InputError?, summarizing: Summarizing?
    ) -> ExportChunk.Users {
        if let summarizing, failure == nil,
            let users = XMLCanonicalChunk.users(in: document, origin: origin, summarizing: summarizing)
        {
            return users
        }
        var users = ExportChunk.Users()
        users.bytes = document
        var reader: XMLExportReader
        do throws(InputError) {
            let source = MemoryByteSource(path: path, bytes: document, failure: failure)
            reader = try XMLExportReader(
                source: source, checksRepeats: false, origin: origin, summarizing: summarizing, document: document)
        } catch {
            users.failure = error
            return users
        }
        do throws(InputError) {
            while let user = try reader.nextUser() { users.users.append(user) }
        } catch {
            // Skipping a kept user's element, libxml2 reads ahead and can meet an error past it, where reading node
            // by node would have finished that user and begun the next (whose run the collector checks before the
            // error). A chunk that fails is read again with every user decoded: its users and error are the full
            // path's.
            if summarizing != nil {
                return Self.users(in: document, origin: origin, path: path, failure: failure, summarizing: nil)
            }
            users.failure = error
            users.unfinished = reader.unfinished
        }
        return users
    }

    // MARK: - Handing out

    private mutating func emit(upTo cut: Int) -> ExportChunk {
        var document = prefix(of: state.pendingOpen)
        let prefixLength = document.count
        // Room for the end tags too: growing past a 256 KiB chunk doubled it into a fresh mapping (the 512 KiB mmap
        // threshold), faulted in page by page and unmapped again, chunk after chunk (6 % of an XML run's CPU).
        document.reserveCapacity(prefixLength + cut + state.open.reduce(0) { $0 + $1.name.count + 3 })
        document.append(contentsOf: state.pending[..<cut])
        // The elements still open after the cut are closed, innermost first.
        for element in state.open.reversed() {
            document.append(contentsOf: [UInt8(ascii: "<"), UInt8(ascii: "/")])
            document.append(contentsOf: element.name)
            document.append(UInt8(ascii: ">"))
        }
        let chunk = makeChunk(document, prefixLength: prefixLength, failure: nil)
        advanceOrigin(over: cut)
        state.pending.removeFirst(cut)
        state.scanned -= cut
        state.rescanAt -= cut
        (state.lineFeedsCountedTo, state.lineFeeds) = (0, 0)
        state.pendingOpen = state.open
        return chunk
    }

    private mutating func emitLast(failure: InputError?) -> ExportChunk {
        var document = prefix(of: state.pendingOpen)
        let prefixLength = document.count
        document.append(contentsOf: state.pending)
        state.isFinished = true
        state.pending = []
        (state.scanned, state.lineFeedsCountedTo, state.lineFeeds) = (0, 0, 0)
        return makeChunk(document, prefixLength: prefixLength, failure: failure)
    }

    private func makeChunk(_ document: [UInt8], prefixLength: Int, failure: InputError?) -> ExportChunk {
        var origin = state.pendingOrigin
        origin.prefixLength = prefixLength
        origin.prefixElements = state.pendingOpen.map { (String(decoding: $0.name, as: UTF8.self), $0.line) }
        return ExportChunk(content: .xml(document: document, origin: origin, path: path, failure: failure))
    }

    private func prefix(of elements: [OpenElement]) -> [UInt8] {
        elements.reduce(into: []) { $0 += $1.startTag }
    }

    /// Moves the origin past the first `count` pending bytes, counting characters (a BOM not among them) and line
    /// breaks both ways: as `XMLByteScanner` does (CR, LF and CRLF each one break; a cut follows a `>` or the LF after
    /// one, so it never falls inside a CRLF) and as libxml2 does (LF only; a CR is a character of its line).
    private mutating func advanceOrigin(over count: Int) {
        var origin = state.pendingOrigin
        let skipsBOM = state.isAtFileStart && state.pending.first == 0xEF
        state.pending.withUnsafeBufferPointer { all in
            let bytes = UnsafeBufferPointer(rebasing: all[(skipsBOM ? 1 : 0)..<count])
            // Carriage returns only in a chunk that has one (memchr): counting both in one byte loop took 5 % of an XML
            // run's CPU, on the one reading thread.
            var (lineFeeds, carriageReturns, crlfs) = (bytes.occurrences(of: 0x0A), 0, 0)
            if let base = bytes.baseAddress, memchr(base, 0x0D, bytes.count) != nil {
                carriageReturns = bytes.occurrences(of: 0x0D)
                for index in bytes.indices.dropFirst() where bytes[index] == 0x0A && bytes[index - 1] == 0x0D {
                    crlfs += 1
                }
            }
            func characters(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int {
                bytes.reduce(0) { $0 &+ ($1 & 0xC0 != 0x80 ? 1 : 0) }
            }
            if let last = bytes.lastIndex(where: { $0 == 0x0A || $0 == 0x0D }) {
                origin.column = characters(bytes[(last + 1)...])
            } else {
                origin.column += characters(bytes[...])
            }
            origin.line += lineFeeds + carriageReturns - crlfs
            if lineFeeds > 0, let last = bytes.lastIndex(of: 0x0A) {
                origin.parserColumn = characters(bytes[(last + 1)...])
            } else {
                origin.parserColumn += characters(bytes[...])
            }
            origin.parserLine += lineFeeds
        }
        state.pendingOrigin = origin
        state.isAtFileStart = false
    }

    // MARK: - Scanning

    /// Scans on from where it stopped, markup by markup; returns where to cut, or `nil` when the bytes read so
    /// far hold no cut (a markup they end inside is scanned again once more is read).
    private mutating func scanForCut() -> Int? {
        let (chunkBytes, firstLine) = (sizes.target, state.pendingOrigin.parserLine)
        var (scanned, open, rescanAt) = (state.scanned, state.open, state.rescanAt)
        var (lineFeeds, lineFeedsCountedTo) = (state.lineFeeds, state.lineFeedsCountedTo)
        defer {
            (state.scanned, state.open, state.rescanAt) = (scanned, open, rescanAt)
            (state.lineFeeds, state.lineFeedsCountedTo) = (lineFeeds, lineFeedsCountedTo)
        }
        return state.pending.withUnsafeBufferPointer { bytes -> Int? in
            while true {
                guard let start = bytes.firstIndex(of: UInt8(ascii: "<"), from: scanned) else {
                    scanned = bytes.count
                    return nil
                }
                guard let markup = Self.markup(in: bytes, at: start) else {
                    scanned = start
                    rescanAt = bytes.count + (bytes.count - start)
                    return nil
                }
                scanned = markup.end
                var endsUser = false
                switch markup.kind {
                case .other:
                    continue
                case .startTag(let name, let isEmpty):
                    if isEmpty {
                        endsUser = open.count == 2 && Self.isUser(bytes[name])
                    } else {
                        // Only the root's and the tenant's tags are ever a prefix (a cut is made with just those two
                        // open), so only theirs are kept: a name for every element was an allocation per tag.
                        var element = OpenElement(name: open.count < 2 ? Array(bytes[name]) : [])
                        if open.count < 2 {
                            lineFeeds += bytes[lineFeedsCountedTo..<start].count { $0 == 0x0A }
                            lineFeedsCountedTo = start
                            element.startTag = Self.oneLine(bytes[start..<markup.end])
                            element.line = firstLine + lineFeeds
                        }
                        open.append(element)
                    }
                case .endTag(let name):
                    if !open.isEmpty { open.removeLast() }
                    endsUser = open.count == 2 && Self.isUser(bytes[name])
                }
                if endsUser && markup.end >= chunkBytes {
                    // The line feed after it goes with it, so that the chunk ends with the user's last line whole,
                    // as the writer writes it (`XMLCanonicalChunk`).
                    if markup.end < bytes.count && bytes[markup.end] == 0x0A { scanned += 1 }
                    return scanned
                }
            }
        }
    }

    private enum MarkupKind {
        case startTag(name: Range<Int>, isEmpty: Bool)
        case endTag(name: Range<Int>)
        /// A comment, CDATA section, processing instruction or declaration (which the workers' readers refuse).
        case other
    }

    /// The markup starting with the `<` at `start`, and where it ends; `nil` when the bytes end first.
    private static func markup(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (kind: MarkupKind, end: Int)? {
        guard start + 1 < bytes.count else { return nil }
        switch bytes[start + 1] {
        case UInt8(ascii: "!"):
            if hasPrefix("<!--", in: bytes, at: start) {
                return end(of: "-->", in: bytes, from: start + 4).map { (.other, $0) }
            }
            if hasPrefix("<![CDATA[", in: bytes, at: start) {
                return end(of: "]]>", in: bytes, from: start + 9).map { (.other, $0) }
            }
            // Too few bytes yet to tell a comment or CDATA section from a declaration.
            let available = bytes[start..<min(start + 9, bytes.count)]
            if available.count < 9
                && ("<!--".utf8.starts(with: available) || "<![CDATA[".utf8.starts(with: available))
            {
                return nil
            }
            return end(of: ">", in: bytes, from: start + 2).map { (.other, $0) }
        case UInt8(ascii: "?"):
            return end(of: "?>", in: bytes, from: start + 2).map { (.other, $0) }
        case UInt8(ascii: "/"):
            guard let end = end(of: ">", in: bytes, from: start + 2) else { return nil }
            return (.endTag(name: start + 2..<nameEnd(in: bytes, from: start + 2, before: end - 1)), end)
        default:
            // A start tag ends at the first `>` outside quotes.
            var index = start + 1
            let (doubleQuote, singleQuote, tagEnd) = (UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ">"))
            while let found = bytes.firstIndex(of: doubleQuote, singleQuote, tagEnd, from: index) {
                if bytes[found] == tagEnd {
                    let isEmpty = bytes[found - 1] == UInt8(ascii: "/")
                    let name = start + 1..<nameEnd(in: bytes, from: start + 1, before: found)
                    return (.startTag(name: name, isEmpty: isEmpty), found + 1)
                }
                // A quoted value runs to the same quote.
                guard let close = bytes.firstIndex(of: bytes[found], from: found + 1) else { return nil }
                index = close + 1
            }
            return nil
        }
    }

    /// Where a tag's name ends: at white space, `/` or `>`.
    private static func nameEnd(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, before limit: Int) -> Int {
        var index = start
        while index < limit {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "/"), UInt8(ascii: ">"): return index
            default: index += 1
            }
        }
        return index
    }

    private static func isUser(_ name: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        name.count == 4 && memcmp(name.base.baseAddress! + name.startIndex, "user", 4) == 0
    }

    private static func hasPrefix(_ text: StaticString, in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        let count = text.utf8CodeUnitCount
        guard start + count <= bytes.count else { return false }
        return (0..<count).allSatisfy { bytes[start + $0] == text.utf8Start[$0] }
    }

    /// The index just past the first `text` at or after `start`, or `nil`.
    private static func end(of text: StaticString, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let count = text.utf8CodeUnitCount
        let last = text.utf8Start[count - 1]
        var index = start + count - 1
        while let found = bytes.firstIndex(of: last, from: index) {
            if found - count + 1 >= start && hasPrefix(text, in: bytes, at: found - count + 1) { return found + 1 }
            index = found + 1
        }
        return nil
    }

    private static func oneLine(_ tag: Slice<UnsafeBufferPointer<UInt8>>) -> [UInt8] {
        tag.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }
    }

    private mutating func readMore() throws(InputError) {
        state.isAtEnd = try source.readAppending(to: &state.pending, through: &readBuffer)
    }
}
