import SecurityInfo

/// Checks, in file order, what parsing chunks apart cannot see: that the rows of a user are together.
/// One thread at a time uses it (a pipeline's collector, then the thread that waited for the pipeline).
public final class ExportRunCheck: @unchecked Sendable {
    /// The format's error for a user met again: its name, where it is met again, where it was met first.
    typealias Repeated = @Sendable (_ name: String, _ line: Int, _ column: Int, _ earlierLine: Int) -> InputError

    private let runs: UserRunIndex
    private let repeated: Repeated

    init(confirming: Set<String>?, repeated: @escaping Repeated) {
        self.repeated = repeated
        runs = UserRunIndex(confirming: confirming)
    }

    /// Checks the next user of the file.
    public func check(_ record: ExportRecord) throws(InputError) {
        guard !runs.isIdle else { return }
        if let earlier = runs.startRun(tenant: record.tenant, user: record.user.key, line: record.line) {
            throw repeated(record.user.name, record.nameLine, record.nameColumn, earlier)
        }
    }

    /// Before checking a chunk's users: their places in the filter are asked for at once (`UserRunIndex.prefetch`).
    public func prefetch(_ users: [ChunkUser]) {
        guard !runs.isIdle else { return }
        runs.prefetch(
            hashes: users.lazy.compactMap { if case .summarized(let user) = $0 { user.runHash } else { nil } })
    }

    /// Checks the next user of the file, as read from a chunk whose bytes are `bytes`.
    public func check(_ user: ChunkUser, in bytes: [UInt8]) throws(InputError) {
        switch user {
        case .decoded(let record): try check(record)
        case .summarized(let user):
            guard !runs.isIdle else { return }
            let name = user.name
            let earlier = runs.startRun(tenant: user.tenant, hash: user.runHash, line: user.line) {
                name.withKey(in: bytes) { String(decoding: $0, as: UTF8.self) }
            }
            if let earlier { throw repeated(name.text(in: bytes), user.line, user.nameColumn, earlier) }
        }
    }

    var unconfirmed: Set<String> { runs.unconfirmed }

    /// Whether there is nothing to check: a second reading with no user to confirm.
    public var isIdle: Bool { runs.isIdle }
}
