import Foundation
public import SecurityInfoFormats
import Synchronization

/// The ledger of `push` (GRAPH.md §3): an append-only JSON Lines file, a line per event of a request,
/// `{"tenant","id","change","status","code","message","at"}`, synced to disk after each batch, so that a rerun
/// after `kill -9` knows what Graph has done.
///
/// `status` is Graph's HTTP status for the request's end. Lines Graph gave no status for have `status` null and
/// say what happened in `code`: `sent` is written before a batch goes out (a request whose last line is `sent`
/// was in flight when the run stopped, and is checked against the tenant before it is sent again);
/// `alreadyApplied` is such a request found made; `conflict` one whose user was changed by someone else meanwhile
/// (neither sent again nor taken as made); `skipped` one not sent because an earlier request of its user failed. A request whose last line has a status, `alreadyApplied`, `conflict` or `skipped` is done and never sent again.
final class PushLedger: Sendable {
    struct Entry: Sendable {
        var tenant: String
        var id: String
        var change: String
        var status: Int?
        var code: String
        var message: String
    }

    /// What the ledger says of one request.
    enum State: Sendable, Equatable {
        case sent
        case succeeded(status: Int?)
        case failed(status: Int?, code: String, message: String)
        case skipped(message: String)

        var isDone: Bool { self != .sent }
    }

    static let sentCode = "sent"
    static let alreadyAppliedCode = "alreadyApplied"
    static let skippedCode = "skipped"
    static let conflictCode = "conflict"

    private struct Book {
        var descriptor: Int32
        var states: [RequestKey: State]
    }

    let path: String
    private let book: Mutex<Book>

    /// Opens (or creates) the ledger and reads what it holds; every line must name a request of `requests`. A last
    /// line cut short by a kill is dropped (it was never synced as a whole; its request is still `sent`).
    init(path: String, requests: Set<RequestKey>) throws(InputError) {
        self.path = path
        let descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw InputError(file: path, "cannot open the ledger: \(String(cString: strerror(errno)))")
        }
        var bytes: [UInt8] = []
        do { bytes = try FileByteSource(path: path).readAll() } catch {
            close(descriptor)
            throw error
        }
        if let last = bytes.lastIndex(of: 0x0A), last + 1 < bytes.count {
            ftruncate(descriptor, off_t(last + 1))
            bytes.removeSubrange((last + 1)...)
        } else if !bytes.isEmpty && bytes.last != 0x0A {
            ftruncate(descriptor, 0)
            bytes = []
        }
        var states: [RequestKey: State] = [:]
        var lineNumber = 0
        var start = 0
        do throws(InputError) {
            while start < bytes.count {
                lineNumber += 1
                let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
                defer { start = end + 1 }
                let document = try JSONReader.read(bytes, span: start..<end, path: path, firstLine: lineNumber)
                let root = document.root
                guard let tenant = root["tenant"].flatMap(document.string),
                    let id = root["id"].flatMap(document.string)
                else { throw document.error(at: start, "a ledger line needs \"tenant\" and \"id\"") }
                let key = RequestKey(tenant: tenant, id: id)
                guard requests.contains(key) else {
                    throw document.error(
                        at: start,
                        "the ledger records request \(id) of tenant \(tenant), which the requests file does not hold: is it another push's ledger?"
                    )
                }
                let status = root["status"].flatMap { Int(document.text($0)) }
                let code = root["code"].flatMap(document.string) ?? ""
                let message = root["message"].flatMap(document.string) ?? ""
                states[key] = Self.state(status: status, code: code, message: message)
            }
        } catch {
            close(descriptor)
            throw error
        }
        book = Mutex(Book(descriptor: descriptor, states: states))
    }

    deinit { book.withLock { _ = close($0.descriptor) } }

    static func state(status: Int?, code: String, message: String) -> State {
        switch (status, code) {
        case (let status?, _) where (200..<300).contains(status): .succeeded(status: status)
        case (let status?, _): .failed(status: status, code: code, message: message)
        case (nil, alreadyAppliedCode): .succeeded(status: nil)
        case (nil, skippedCode): .skipped(message: message)
        case (nil, conflictCode): .failed(status: nil, code: code, message: message)
        default: .sent
        }
    }

    func state(of key: RequestKey) -> State? { book.withLock { $0.states[key] } }

    var states: [RequestKey: State] { book.withLock { $0.states } }

    /// Appends the entries and syncs them to disk before returning.
    func record(_ entries: [Entry]) throws(OutputError) {
        guard !entries.isEmpty else { return }
        let at = ISO8601DateFormatter().string(from: Date())
        var bytes: [UInt8] = []
        for entry in entries {
            bytes += Array(#"{"tenant":"#.utf8)
            JSONWriter.appendString(entry.tenant, to: &bytes)
            bytes += Array(#","id":"#.utf8)
            JSONWriter.appendString(entry.id, to: &bytes)
            bytes += Array(#","change":"#.utf8)
            JSONWriter.appendString(entry.change, to: &bytes)
            bytes += Array(#","status":"#.utf8) + Array((entry.status.map(String.init) ?? "null").utf8)
            bytes += Array(#","code":"#.utf8)
            JSONWriter.appendString(entry.code, to: &bytes)
            bytes += Array(#","message":"#.utf8)
            JSONWriter.appendString(entry.message, to: &bytes)
            bytes += Array(#","at":"#.utf8)
            JSONWriter.appendString(at, to: &bytes)
            bytes += Array("}\n".utf8)
        }
        let path = self.path
        try book.withLock { book throws(OutputError) in
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(book.descriptor, $0.baseAddress, $0.count) }
                guard written > 0 else {
                    throw OutputError(path: path, "cannot append to the ledger: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
            guard fsync(book.descriptor) == 0 else {
                throw OutputError(path: path, "cannot sync the ledger: \(String(cString: strerror(errno)))")
            }
            for entry in entries {
                book.states[RequestKey(tenant: entry.tenant, id: entry.id)] = Self.state(
                    status: entry.status, code: entry.code, message: entry.message)
            }
        }
    }
}
