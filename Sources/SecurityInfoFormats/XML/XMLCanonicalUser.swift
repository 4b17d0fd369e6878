import SecurityInfo

/// Reads a `<user>` element from its bytes when they are exactly what `XMLExportEncoder` writes: four spaces
/// before it, `upn`, `admin` and `defaultMethod` in that order with exact tokens, one `<method>` a line (its `id`
/// only when not empty), LF line ends, and names, ids and values of printable ASCII that need no escaping. Such an
/// element is what libxml2 reads it as, with no entity or normalisation in play, so it becomes a `SummarizedUser`
/// whose bytes are copied as they are (or, when a change names it, the record libxml2 would give). Anything else
/// gives `nil`: the element is decoded as it always was.
enum XMLCanonicalUser {
    /// A canonical element's start tag: the upn's bytes, the flags, and whether the element is empty.
    struct StartTag {
        var name: Range<Int>
        var isAdmin: Bool
        var defaultMethod: DefaultMethod
        var isEmpty: Bool
        /// Where the element starts (its indentation) and where its start tag's line ends.
        var start: Int
        var end: Int
    }

    /// The user whose start tag's `<` is at `offset`, with the number of `<method>` elements in it.
    static func read(
        _ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, tenant: String, line: Int, policy: TenantPolicy
    ) -> (user: SummarizedUser, methods: Int)? {
        guard let tag = startTag(in: bytes, at: offset) else { return nil }
        var summary = UserSummary(isAdmin: tag.isAdmin, defaultMethod: tag.defaultMethod)
        let name = UnsafeBufferPointer(rebasing: bytes[tag.name])
        guard
            let (methods, end) = Self.methods(
                in: bytes, after: tag,
                each: { kind, _, value in
                    summary.add(
                        kind, value: UnsafeBufferPointer(rebasing: bytes[value]), userName: name, policy: policy)
                })
        else { return nil }
        let user = SummarizedUser(
            tenant: tenant, encoded: tag.start..<end, name: tag.name, line: line, rowCount: max(methods, 1),
            nameColumn: 1, summary: summary)
        return (user, methods)
    }

    /// The record libxml2's reading gives the canonical element whose `<` is at `offset` (`XMLExportReader`).
    static func record(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, tenant: String, line: Int) -> ExportRecord?
    {
        guard let tag = startTag(in: bytes, at: offset) else { return nil }
        func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        var user = User(name: text(tag.name))
        (user.isAdmin, user.defaultMethod) = (tag.isAdmin, tag.defaultMethod)
        guard
            let (methods, _) = Self.methods(
                in: bytes, after: tag,
                each: { kind, id, value in
                    user.methods.append(MethodInstance(kind: kind, id: id.map(text) ?? "", value: text(value)))
                })
        else { return nil }
        return ExportRecord(tenant: tenant, user: user, line: line, rowCount: max(methods, 1))
    }

    /// The start tag of the element whose `<` is at `offset`, when it is canonical.
    static func startTag(in bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> StartTag? {
        var cursor = CanonicalCursor(bytes, at: offset)
        guard offset >= indent.utf8CodeUnitCount, cursor.follows(indent), cursor.take(userStart),
            let name = cursor.plain(upTo: UInt8(ascii: "\"")),
            UnsafeBufferPointer(rebasing: bytes[name]).contains(where: { $0 != 0x20 })
        else { return nil }
        let isAdmin = cursor.take(adminTrue)
        guard isAdmin || cursor.take(adminFalse), let token = cursor.plain(upTo: UInt8(ascii: "\"")),
            let defaultMethod = ExportColumn.exactDefault(UnsafeBufferPointer(rebasing: bytes[token]))
        else { return nil }
        cursor.position += 1
        let isEmpty = cursor.take(emptyEnd)
        guard isEmpty || cursor.take(startEnd) else { return nil }
        return StartTag(
            name: name, isAdmin: isAdmin, defaultMethod: defaultMethod, isEmpty: isEmpty,
            start: offset - indent.utf8CodeUnitCount, end: cursor.position)
    }

    /// Walks the `<method>` elements after a canonical start tag, calling `each` with a method's kind, `id` (`nil`
    /// when it has none) and value; returns their count and where the element ends, or `nil` when a byte is not
    /// canonical.
    static func methods(
        in bytes: UnsafeBufferPointer<UInt8>, after tag: StartTag,
        each: (MethodKind, Range<Int>?, Range<Int>) -> Void
    ) -> (count: Int, end: Int)? {
        if tag.isEmpty { return (0, tag.end) }
        var cursor = CanonicalCursor(bytes, at: tag.end)
        var count = 0
        while cursor.take(methodStart) {
            guard let type = cursor.plain(upTo: UInt8(ascii: "\"")),
                let kind = ExportColumn.exactMethodKind(UnsafeBufferPointer(rebasing: bytes[type]))
            else { return nil }
            cursor.position += 1
            var id: Range<Int>?
            if cursor.take(idStart) {
                guard let range = cursor.plain(upTo: UInt8(ascii: "\"")), !range.isEmpty else { return nil }
                id = range
                cursor.position += 1
            }
            guard cursor.take(tagEnd), let value = cursor.plain(upTo: UInt8(ascii: "<")), cursor.take(methodEnd)
            else { return nil }
            each(kind, id, value)
            count += 1
        }
        guard count > 0, cursor.take(userEnd) else { return nil }
        return (count, cursor.position)
    }

    // Static strings: constants in the binary, where a static array's every use went through its lazy initialiser
    // (`swift_once`, 0.5 % of an XML run).
    private static let userStart: StaticString = "<user upn=\"",
        adminTrue: StaticString = "\" admin=\"true\" defaultMethod=\""
    private static let adminFalse: StaticString = "\" admin=\"false\" defaultMethod=\""
    private static let methodStart: StaticString = "      <method type=\"", idStart: StaticString = " id=\""
    private static let methodEnd: StaticString = "</method>\n", userEnd: StaticString = "    </user>\n"
    private static let indent: StaticString = "    ", emptyEnd: StaticString = "/>\n", startEnd: StaticString = ">\n"
    private static let tagEnd: StaticString = ">"
}

/// A position in bytes being matched against what an encoder writes.
struct CanonicalCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) {
        self.bytes = bytes
        self.position = position
    }

    var isAtEnd: Bool { position == bytes.count }

    /// Takes `literal` when the bytes at the position are it.
    mutating func take(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - position >= count, literal.isSpelled(at: bytes.baseAddress! + position) else {
            return false
        }
        position += count
        return true
    }

    /// Whether the bytes just before the position are `literal`.
    func follows(_ literal: StaticString) -> Bool {
        position >= literal.utf8CodeUnitCount
            && literal.isSpelled(at: bytes.baseAddress! + position - literal.utf8CodeUnitCount)
    }

    /// Plain bytes up to `end` (not taken): printable ASCII but `& < > "`, which no escaping or normalisation
    /// touches. A range, or `nil` when a byte is not plain or the bytes run out.
    mutating func plain(upTo end: UInt8) -> Range<Int>? {
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == end { return start..<position }
            guard byte >= 0x20 && byte < 0x7F && byte != 0x26 && byte != 0x3C && byte != 0x3E && byte != 0x22
            else { return nil }
            position += 1
        }
        return nil
    }
}
