import SecurityInfo
import SecurityInfoFormats

/// A reading's counting, on the pipeline's collector, in file order: every user into its tenant's totals, where each
/// tenant's last user is, and the rule engine's decisions, recorded (a first reading) or held to those of the first
/// (a later reading, whose file must be the one first read).
struct ExportCounts {
    let exportFiles: [String]
    let includes: (String) -> Bool
    var totals: [String: TenantTotals] = [:]
    var lastUsers: [String: UserPlace] = [:]
    /// The decisions on the rows of the change file, as the users they name are met.
    var results: ChangeResults
    /// The object id of the user each row names, where a Graph export gives one.
    var objectIDs: [Int: String] = [:]
    /// A later reading: the first reading's decisions, which this one must repeat.
    let expected: ChangeResults?
    /// The first user a later reading decided otherwise: the file changed, unless the user is repeated further on,
    /// which the run check then reports (the first reading kept the later copy's decisions). Raised once the whole
    /// file is read.
    private(set) var decidedOtherwise: InputError?
    private var tenantFile: [String: Int] = [:]
    /// A tenant's users are usually together: they are counted in a small accumulator, not a dictionary entry each.
    private var run = TenantCounts(tenant: "")

    init(exportFiles: [String], changeCount: Int, expected: ChangeResults?, includes: @escaping (String) -> Bool) {
        self.exportFiles = exportFiles
        results = ChangeResults(count: changeCount)
        self.expected = expected
        self.includes = includes
    }

    /// Counts a chunk's users; raises its error after them.
    mutating func count(_ chunk: ChunkProcessor.Outcome, file: Int, path: String, runCheck: ExportRunCheck?)
        throws(InputError)
    {
        runCheck?.prefetch(chunk.users.users)
        for user in chunk.users.users {
            try runCheck?.check(user, in: chunk.users.bytes)
            let tenant = user.tenant
            if tenant != run.tenant {
                run.flush(into: &totals, lastUsers: &lastUsers)
                if let other = tenantFile[tenant], other != file {
                    throw InputError(
                        file: path, line: user.line, column: 1,
                        "tenant '\(tenant)' is also in \(exportFiles[other]): a tenant lives in one export")
                }
                tenantFile[tenant] = file
                run = TenantCounts(tenant: tenant)
                run.isInScope = includes(tenant)
                run.exportFile = path
            }
            run.add(user, file: file)
        }
        for user in chunk.decided {
            if let expected {
                if decidedOtherwise == nil && !user.results.elementsEqual(user.rows.map { expected[$0]! }) {
                    decidedOtherwise = InputError(
                        file: path, line: user.line, column: 1,
                        "the file changed while secinfo was reading it (user '\(user.name)' is not as it was): run again"
                    )
                }
            } else {
                for (row, result) in zip(user.rows, user.results) { results[row] = result }
                if let id = user.objectID { for row in user.rows { objectIDs[row] = id } }
            }
        }
        if let failure = chunk.users.failure {
            if let unfinished = chunk.users.unfinished { try runCheck?.check(unfinished) }
            throw failure
        }
    }

    mutating func endFile() {
        run.flush(into: &totals, lastUsers: &lastUsers)
        run = TenantCounts(tenant: "")
    }
}

/// Where a user is: its export file, and the line it starts on.
struct UserPlace: Sendable, Hashable {
    var file: Int
    var line: Int
}

/// The counts of the run of users of one tenant being read, added to the tenant's totals when the run ends.
struct TenantCounts {
    var tenant: String
    var isInScope = false
    var exportFile = ""
    var users = 0
    var rows = 0
    var methods = [Int](repeating: 0, count: MethodKind.allCases.count)
    var others: [String: Int] = [:]
    private var lastUser: UserPlace?

    init(tenant: String) { self.tenant = tenant }

    mutating func add(_ user: ChunkUser, file: Int) {
        users += 1
        rows += user.rowCount
        switch user {
        case .decoded(let record):
            for method in record.user.methods { methods[method.kind.ordinal] += 1 }
            for type in record.graph?.otherTypes ?? [] { others[type, default: 0] += 1 }
        case .summarized(let user):
            for kind in MethodKind.allCases { methods[kind.ordinal] += user.summary.methodCounts[kind] }
        }
        lastUser = UserPlace(file: file, line: user.line)
    }

    /// Adds the run's counts to the tenant's totals, records where its last user is, and starts empty.
    mutating func flush(into totals: inout [String: TenantTotals], lastUsers: inout [String: UserPlace]) {
        guard !tenant.isEmpty, users > 0 else { return }
        var tenantTotals = totals[tenant] ?? TenantTotals(tenant: tenant)
        tenantTotals.isInScope = isInScope
        tenantTotals.exportFile = exportFile
        tenantTotals.users.before += users
        tenantTotals.rowsRead += rows
        for (kind, count) in zip(MethodKind.allCases, methods) where count > 0 {
            tenantTotals.methods[kind, default: .init()].before += count
        }
        for (type, count) in others { tenantTotals.otherMethods[type, default: .init()].before += count }
        totals[tenant] = tenantTotals
        if let lastUser { lastUsers[tenant] = lastUser }
        (users, rows, methods, others) = (0, 0, [Int](repeating: 0, count: MethodKind.allCases.count), [:])
    }
}
