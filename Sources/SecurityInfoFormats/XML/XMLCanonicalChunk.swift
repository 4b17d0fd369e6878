import SecurityInfo

/// Reads a chunk's users straight from its bytes when the whole chunk is what `XMLExportWriter` writes: the
/// declaration and root (the first chunk), `<tenant>` lines, canonical `<user>` elements (`XMLCanonicalUser`) and
/// the end tags, LF line ends, nothing else. libxml2 still checks the chunk's document, with a SAX parse that
/// builds nothing: about half the cost of walking its nodes with the reader, which then is not needed, since the
/// values of such bytes are what they spell. Users no change names are kept as bytes, the others decoded from the
/// same bytes. Any other chunk gives `nil` and is read node by node as before, its errors included.
enum XMLCanonicalChunk {
    static func users(in document: [UInt8], origin: XMLChunkOrigin, summarizing: Summarizing) -> ExportChunk.Users? {
        var users = ExportChunk.Users()
        let isCanonical = document.withUnsafeBufferPointer { bytes in
            read(bytes, origin: origin, summarizing: summarizing, into: &users.users)
                && XMLReader.isWellFormed(bytes)
        }
        guard isCanonical else { return nil }
        users.bytes = document
        return users
    }

    private static func read(
        _ bytes: UnsafeBufferPointer<UInt8>, origin: XMLChunkOrigin, summarizing: Summarizing,
        into users: inout [ChunkUser]
    ) -> Bool {
        var cursor = CanonicalCursor(bytes, at: 0)
        var line = origin.line
        // The tenant open, with its policy; `nil` between tenants.
        var tenant: (id: String, policy: TenantPolicy)?
        func openTenant(closing: StaticString) -> Bool {
            guard let id = cursor.plain(upTo: UInt8(ascii: "\"")), TenantID.isValid(utf8: bytes[id]) else {
                return false
            }
            cursor.position += 1
            guard cursor.take(closing) else { return false }
            let text = String(decoding: bytes[id], as: UTF8.self)
            tenant = (text, summarizing.policy(text))
            return true
        }
        if origin.prefixLength == 0 {
            guard origin.line == 1, cursor.take(declaration), cursor.take(rootLine) else { return false }
            line += 2
        } else {
            // The prefix: the root's start tag, and the tenant's, as the writer writes them, on one line.
            guard cursor.take(root), cursor.take(tenantPrefix), openTenant(closing: tagEnd),
                cursor.position == origin.prefixLength
            else { return false }
        }
        while !cursor.isAtEnd {
            if let open = tenant {
                if cursor.take(tenantEnd) {
                    tenant = nil
                    line += 1
                    continue
                }
                // Not a chunk's last: the end tags closing its document.
                if cursor.take(documentEnd) { return cursor.isAtEnd }
                // A user's `<`, after its indentation.
                let start = cursor.position + 4
                guard start < bytes.count else { return false }
                guard
                    let (summarized, methods) = XMLCanonicalUser.read(
                        bytes, at: start, tenant: open.id, line: line, policy: open.policy),
                    // The byte scanner refuses a tag this long (reading it would fail): not shortened here.
                    summarized.encoded.count < XMLByteScanner.maximumTagBytes
                else { return false }
                var user = summarized
                if user.finish(in: bytes, summarizing: summarizing) {
                    guard let record = XMLCanonicalUser.record(bytes, at: start, tenant: open.id, line: line) else {
                        return false
                    }
                    users.append(.decoded(record))
                } else {
                    users.append(.summarized(user))
                }
                // An empty element is one line; otherwise its start tag's, one a method, and its end tag's.
                line += methods == 0 ? 1 : 2 + methods
                cursor.position = user.encoded.upperBound
            } else if cursor.take(tenantStart) {
                guard openTenant(closing: tenantStartEnd) else { return false }
                line += 1
            } else {
                // The last chunk: the root's end, then nothing.
                return cursor.take(rootEnd) && cursor.isAtEnd
            }
        }
        // A chunk ending outside the root is the file's end with the root left open: an error the reading gives.
        return false
    }

    private static let declaration: StaticString = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private static let root: StaticString = "<securityInfoExport version=\"1\">"
    private static let rootLine: StaticString = "<securityInfoExport version=\"1\">\n"
    private static let tenantPrefix: StaticString = "<tenant id=\"", tagEnd: StaticString = ">"
    private static let tenantStart: StaticString = "  <tenant id=\"", tenantStartEnd: StaticString = ">\n"
    private static let tenantEnd: StaticString = "  </tenant>\n", rootEnd: StaticString = "</securityInfoExport>\n"
    private static let documentEnd: StaticString = "</tenant></securityInfoExport>"
}
