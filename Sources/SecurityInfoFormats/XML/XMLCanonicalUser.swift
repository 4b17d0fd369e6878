import Glibc
import SecurityInfo

/// Reads a `<user>` element from its bytes when they are exactly what `XMLExportEncoder` writes: four spaces
/// before it, `upn`, `admin` and `defaultMethod` in that order with exact tokens, one `<method>` a line (its `id`
/// only when not empty), LF line ends, and names, ids and values of printable ASCII that need no escaping. Such an
/// element is what libxml2 reads it as, with no entity or normalisation in play, so it becomes a `SummarizedUser`
/// whose bytes are copied as they are. Anything else gives `nil`: the element is decoded as it always was.
enum XMLCanonicalUser {
    private static let userStart = Array("<user upn=\"".utf8),
        adminTrue = Array("\" admin=\"true\" defaultMethod=\"".utf8)
    private static let adminFalse = Array("\" admin=\"false\" defaultMethod=\"".utf8)
    private static let methodStart = Array("      <method type=\"".utf8), idStart = Array(" id=\"".utf8)
    private static let methodEnd = Array("</method>\n".utf8), userEnd = Array("    </user>\n".utf8)
    private static let indent = Array("    ".utf8), emptyEnd = Array("/>\n".utf8), startEnd = Array(">\n".utf8)
    private static let tagEnd = Array(">".utf8)

    /// The user whose start tag's `<` is at `offset`, with the number of `<method>` elements in it.
    static func read(
        _ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, tenant: String, line: Int, policy: TenantPolicy
    ) -> (user: SummarizedUser, methods: Int)? {
        var position = offset
        func take(_ literal: [UInt8]) -> Bool {
            guard bytes.count - position >= literal.count,
                literal.withUnsafeBufferPointer({
                    memcmp($0.baseAddress!, bytes.baseAddress! + position, literal.count) == 0
                })
            else { return false }
            position += literal.count
            return true
        }
        /// Plain bytes up to `end` (not taken): a range, or `nil` when a byte is not plain or the bytes run out.
        func plain(upTo end: UInt8) -> Range<Int>? {
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
        func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[range]) }

        guard offset >= indent.count, slice(offset - indent.count..<offset).elementsEqual(indent), take(userStart),
            let name = plain(upTo: UInt8(ascii: "\"")), slice(name).contains(where: { $0 != 0x20 })
        else { return nil }
        let isAdmin = take(adminTrue)
        guard isAdmin || take(adminFalse), let token = plain(upTo: UInt8(ascii: "\"")),
            let defaultMethod = ExportColumn.exactDefault(slice(token))
        else { return nil }
        position += 1
        var user = SummarizedUser(
            tenant: tenant, encoded: offset - indent.count..<offset, name: name, line: line, rowCount: 1,
            nameColumn: 1, summary: UserSummary(isAdmin: isAdmin, defaultMethod: defaultMethod))
        var methods = 0
        if take(emptyEnd) {
            user.encoded = user.encoded.lowerBound..<position
            return (user, 0)
        }
        guard take(startEnd) else { return nil }
        while take(methodStart) {
            guard let type = plain(upTo: UInt8(ascii: "\"")), let kind = ExportColumn.exactMethodKind(slice(type))
            else { return nil }
            position += 1
            if take(idStart) {
                guard let id = plain(upTo: UInt8(ascii: "\"")), !id.isEmpty else { return nil }
                position += 1
            }
            guard take(tagEnd), let value = plain(upTo: UInt8(ascii: "<")), take(methodEnd) else {
                return nil
            }
            user.summary.add(kind, value: slice(value), userName: slice(name), policy: policy)
            methods += 1
        }
        guard methods > 0, take(userEnd) else { return nil }
        user.encoded = user.encoded.lowerBound..<position
        user.rowCount = methods
        return (user, methods)
    }
}
