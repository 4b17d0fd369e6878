import Glibc
import SecurityInfo

/// Reads the users of a CSV chunk from their bytes, without decoding them, for as long as their rows are exactly
/// what `CSVExportEncoder` writes: the canonical columns, no quotes, printable ASCII, LF line ends, the exact
/// tokens, every row of a user starting with the same tenant, user, admin and default bytes, and either one row
/// with an empty method or a method on every row. Such rows are valid as they are (none of `CSVExportReader`'s
/// errors can arise in them), so each user becomes a `SummarizedUser`. At the first user that is not canonical, or
/// that a change names, the reading stops and says where: `CSVExportReader` reads that user, errors included.
enum CSVCanonicalUsers {
    private static let comma = UInt8(ascii: ","), lineFeed = UInt8(ascii: "\n"), quote = UInt8(ascii: "\"")
    private static let space = UInt8(ascii: " ")
    private static let admin: [[UInt8]] = [Array("false".utf8), Array("true".utf8)]

    /// The user being read: where it starts, its first row's prefix (tenant to default, with their commas).
    private struct Pending {
        var user: SummarizedUser
        var start: Int
        var prefixEnd: Int
        var tenantEnd: Int
        var hasEmptyMethod: Bool
    }

    /// Appends the canonical users from `start` (a row's start, on its line) to `users`; returns where the first
    /// user that is not canonical or that a change names starts (the end of `bytes` when there is none), and its
    /// line.
    static func read(
        _ bytes: [UInt8], from start: (offset: Int, line: Int), summarizing: Summarizing,
        into users: inout [ChunkUser]
    ) -> (offset: Int, line: Int) {
        // About 80 bytes a row and two rows a user: room enough that the array rarely grows. Once a chunk: this is
        // called again after each user the reader decodes, and reserving again would copy the array each time.
        if users.isEmpty { users.reserveCapacity(bytes.count / 128) }
        return bytes.withUnsafeBufferPointer { bytes in
            var position = start.offset
            var line = start.line
            var pending: Pending?
            /// The user, ready to keep; `nil` when a change names it.
            func finished(_ user: SummarizedUser) -> SummarizedUser? {
                var user = user
                return user.finish(in: bytes, summarizing: summarizing) ? nil : user
            }
            // The tenant of the users being read: its text and policy, made once per run of its users.
            var tenant: (range: Range<Int>, name: String, policy: TenantPolicy)?
            while position < bytes.count {
                let rowStart = position
                guard let commas = fields(of: bytes, from: rowStart) else { break }
                let rowEnd = commas[6]
                func field(_ index: Int) -> UnsafeBufferPointer<UInt8> {
                    let start = index == 0 ? rowStart : commas[index - 1] + 1
                    return UnsafeBufferPointer(rebasing: bytes[start..<commas[index]])
                }
                let method = field(4)
                let kind = method.isEmpty ? nil : ExportColumn.exactMethodKind(method)
                if !method.isEmpty && kind == nil { break }
                if kind == nil && (!field(5).isEmpty || !field(6).isEmpty) { break }

                // The user being read is changed where it is: it is large, and copying it out and back for each
                // row showed in profiles.
                if pending != nil, equal(bytes, rowStart..<commas[3], pending!.start..<pending!.prefixEnd) {
                    // One more row of the user: a method on each, as the encoder writes them.
                    guard let kind, !pending!.hasEmptyMethod else { break }
                    let name = UnsafeBufferPointer(rebasing: bytes[pending!.user.name.range])
                    pending!.user.summary.add(kind, value: field(6), userName: name, policy: tenant!.policy)
                    pending!.user.rowCount += 1
                    pending!.user.encoded = pending!.start..<rowEnd + 1
                } else {
                    if let current = pending {
                        // The same user spelt otherwise (another case, another admin or default) is for the reader.
                        if equal(bytes, rowStart..<commas[0], current.start..<current.tenantEnd)
                            && equalIgnoringCase(
                                field(1), UnsafeBufferPointer(rebasing: bytes[current.user.name.range]))
                        {
                            break
                        }
                        guard let user = finished(current.user) else { break }
                        users.append(.summarized(user))
                        pending = nil
                    }
                    let tenantField = field(0)
                    if tenant == nil || !equal(bytes, rowStart..<commas[0], tenant!.range) {
                        guard TenantID.isValid(utf8: tenantField) else { break }
                        let name = String(decoding: tenantField, as: UTF8.self)
                        tenant = (rowStart..<commas[0], name, summarizing.policy(name))
                    } else {
                        tenant!.range = rowStart..<commas[0]
                    }
                    let name = field(1)
                    guard name.contains(where: { $0 != space }),
                        let isAdmin = admin.firstIndex(where: { $0.elementsEqual(field(2)) }),
                        let defaultMethod = ExportColumn.exactDefault(field(3))
                    else { break }
                    let nameRange = commas[0] + 1..<commas[1]
                    var user = SummarizedUser(
                        tenant: tenant!.name, encoded: rowStart..<rowEnd + 1, name: nameRange, line: line, rowCount: 1,
                        nameColumn: tenantField.count + 2,
                        summary: UserSummary(isAdmin: isAdmin == 1, defaultMethod: defaultMethod))
                    if let kind {
                        user.summary.add(kind, value: field(6), userName: name, policy: tenant!.policy)
                    }
                    pending = Pending(
                        user: user, start: rowStart, prefixEnd: commas[3], tenantEnd: commas[0],
                        hasEmptyMethod: kind == nil)
                }
                position = rowEnd + 1
                line += 1
            }
            if position == bytes.count, let current = pending, let user = finished(current.user) {
                users.append(.summarized(user))
                return (position, line)
            }
            guard let current = pending else { return (position, line) }
            return (current.start, current.user.line)
        }
    }

    /// The positions of a row's six commas, and of its line feed last; `nil` when the row is not canonical: another
    /// number of fields, a quote, a control character, a byte outside ASCII, no line feed, or a field longer than
    /// the reader takes.
    private static func fields(of bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> InlineArray<7, Int>? {
        var ends = InlineArray<7, Int>(repeating: 0)
        var count = 0
        var position = start
        while let found = nextStop(in: bytes, from: position) {
            let byte = bytes[found]
            if byte == comma {
                guard count < 6 else { return nil }
                ends[count] = found
                count += 1
            } else if byte == lineFeed {
                guard count == 6, found - start <= CSVReader.maximumFieldBytes else { return nil }
                ends[6] = found
                return ends
            } else {
                return nil
            }
            position = found + 1
        }
        return nil
    }

    /// The first byte at or after `start` that is a comma, a quote, a control character (a line feed among them) or
    /// not ASCII, eight bytes at a time (the byte loop was the largest part of a CSV run's own reading, 4.6 %).
    private static func nextStop(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let (commas, quotes, deletes) = (ByteWord.repeated(comma), ByteWord.repeated(quote), ByteWord.repeated(0x7F))
        return bytes.firstIndex(
            from: start,
            marking: { word in
                ByteWord.equal(word, commas) | ByteWord.equal(word, quotes) | ByteWord.equal(word, deletes)
                    | ByteWord.below(word, 0x20) | (word & ~ByteWord.low7)
            },
            where: { $0 == comma || $0 == quote || $0 < 0x20 || $0 >= 0x7F })
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        a.count == b.count && memcmp(bytes.baseAddress! + a.lowerBound, bytes.baseAddress! + b.lowerBound, a.count) == 0
    }

    private static func equalIgnoringCase(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.asciiLowercased == $1.asciiLowercased }
    }
}
