public import SecurityInfo

/// A piece of an export holding whole users: cut by the reading thread, parsed by a worker. Parsing is most of a
/// run's work, so it is spread over the workers instead of being done by the one thread that reads the file.
public struct ExportChunk: Sendable {
    enum Content: Sendable {
        /// CSV rows after the header, the first on `firstLine`; they end where a user ends. `failure`: the error
        /// reading the file met after them (a corrupt gzip stream, say), raised once they are read.
        case csv(bytes: [UInt8], firstLine: Int, layout: CSVExportLayout, failure: InputError?)
        /// A piece of an XML export made a document of its own (`XMLChunkOrigin`), with the error reading the file
        /// met after it, if any.
        case xml(document: [UInt8], origin: XMLChunkOrigin, path: String, failure: InputError?)
        /// Whole lines of a Graph export, the first on `firstLine`, with the error reading the file met after them.
        case graph(bytes: [UInt8], firstLine: Int, isFileStart: Bool, path: String, failure: InputError?)
    }

    /// A chunk's users in file order, up to its first error, and that error.
    public struct Users: Sendable {
        public var users: [ChunkUser] = []
        /// The chunk's bytes, where its summarised users are.
        public var bytes: [UInt8] = []
        public var failure: InputError?
        /// The user being read when the failure came. Reading the file through would have checked its run before
        /// meeting the failure, so the one checking runs in file order (`ExportRunCheck`) checks it, then raises.
        public var unfinished: ExportRecord?
    }

    let content: Content

    /// Whether `encoder` writes this chunk's format: only then are its bytes what the encoder would write.
    public func isWritten(by encoder: any ExportEncoder) -> Bool {
        switch content {
        case .csv: encoder is CSVExportEncoder
        case .xml: encoder is XMLExportEncoder
        case .graph: encoder is GraphExportEncoder
        }
    }

    /// The chunk's bytes: what its users take written again, near enough.
    public var byteCount: Int {
        switch content {
        case .csv(let bytes, _, _, _): bytes.count
        case .xml(let document, _, _, _): document.count
        case .graph(let bytes, _, _, _, _): bytes.count
        }
    }

    /// The chunk's users. The users before an error are returned, so that what must be checked in file order
    /// sees them before the error is raised.
    /// - Parameter summarizing: given when users no change names whose bytes are what the format's encoder writes
    ///   are to be kept as those bytes with a summary (`SummarizedUser`); `nil`: every user decoded.
    public func read(summarizing: Summarizing? = nil) -> Users {
        switch content {
        case .graph(let bytes, let firstLine, let isFileStart, let path, let failure):
            return GraphExportChunkReader.users(
                in: bytes, firstLine: firstLine, isFileStart: isFileStart, path: path, failure: failure,
                summarizing: summarizing)
        case .xml(let document, let origin, let path, let failure):
            return XMLExportChunkReader.users(
                in: document, origin: origin, path: path, failure: failure, summarizing: summarizing)
        case .csv(let bytes, let firstLine, let layout, let failure):
            var users = Users()
            users.bytes = bytes
            guard let summarizing, failure == nil, layout.isCanonical else {
                // A chunk the stream failed after is read whole by the reader, whose last user is then unfinished.
                read(bytes, from: (0, firstLine), layout: layout, failure: failure, into: &users)
                return users
            }
            // Canonical users are kept as bytes; each that is not is decoded by the reader, errors included, and
            // the bytes after it are looked at again.
            var next = (offset: 0, line: firstLine)
            while next.offset < bytes.count {
                next = CSVCanonicalUsers.read(bytes, from: next, summarizing: summarizing, into: &users.users)
                guard next.offset < bytes.count else { break }
                guard let following = read(bytes, from: next, layout: layout, oneUser: true, into: &users) else {
                    break
                }
                next = following
            }
            return users
        }
    }

    /// Reads CSV users from `start` with `CSVExportReader`: all of them, or one; returns where the next user starts
    /// (`nil`: at the end, or after an error, which `users` then holds).
    @discardableResult
    private func read(
        _ bytes: [UInt8], from start: (offset: Int, line: Int), layout: CSVExportLayout, failure: InputError? = nil,
        oneUser: Bool = false, into users: inout Users
    ) -> (offset: Int, line: Int)? {
        var reader = CSVExportReader(
            chunk: CSVReader(bytes: bytes, startingAt: start.offset, path: layout.path, firstLine: start.line),
            layout: layout)
        do throws(InputError) {
            while let record = try reader.next() {
                users.users.append(.decoded(record))
                if oneUser { return reader.nextUser }
            }
            if let failure {
                // Reading through, the last user would be unfinished: its next row is where the stream failed.
                users.failure = failure
                if case .decoded(let record) = users.users.popLast() { users.unfinished = record }
            }
        } catch {
            users.failure = error
            users.unfinished = reader.unfinished
        }
        return nil
    }
}
