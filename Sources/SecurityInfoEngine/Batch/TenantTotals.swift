public import SecurityInfo

/// The control totals of one tenant (or of the whole run): what was read, decided and written, and whether it
/// balances. Every count of `after` comes from what the export writer encoded, not from the decisions, so the
/// balance is a real check of the run.
public struct TenantTotals: Sendable, Hashable {
    public struct Changes: Sendable, Hashable, Codable {
        public var read = 0, applied = 0, unchanged = 0, rejected = 0, held = 0
    }
    public struct Methods: Sendable, Hashable, Codable {
        public var before = 0, added = 0, deleted = 0, after = 0
    }
    public struct Users: Sendable, Hashable, Codable {
        public var before = 0, created = 0, after = 0
    }

    public var tenant: String
    /// Held by an export and within `--tenant`.
    public var isInScope = false
    /// The export file that holds the tenant, if any.
    public var exportFile: String?
    public var changes = Changes()
    public var methods: [MethodKind: Methods] = [:]
    /// Methods outside the nine (a Graph export's), by type: no change adds or deletes one, so after = before.
    public var otherMethods: [String: Methods] = [:]
    public var users = Users()
    /// Export rows (or method elements) counted as read, and handed to the writer by the reading that stood
    /// (`summary.json`'s `exportRows.read` and `reread`).
    public var rowsRead = 0
    public var rowsWritten = 0
    /// Deletes the batch applies (or would apply, when held), against the tenant's limit.
    public var deletes = 0
    public var deleteLimit: Int?
    public var deleteLimitRaised = false
    public var isHeld = false
    public var findings: [FindingID: Int] = [:]

    public init(tenant: String) { self.tenant = tenant }

    mutating func count(_ outcome: Outcome) {
        switch outcome {
        case .applied: changes.applied += 1
        case .unchanged: changes.unchanged += 1
        case .rejected: changes.rejected += 1
        case .held: changes.held += 1
        }
    }

    /// Where the totals do not balance; empty when they do.
    public var problems: [String] {
        var problems: [String] = []
        let decided = changes.applied + changes.unchanged + changes.rejected + changes.held
        if changes.read != decided {
            problems.append("\(tenant): \(changes.read) changes read, \(decided) decided")
        }
        for (kind, counts) in methods.sorted(by: { $0.key < $1.key })
        where counts.before + counts.added - counts.deleted != counts.after {
            problems.append(
                "\(tenant): \(kind.rawValue) \(counts.before) + \(counts.added) − \(counts.deleted) ≠ \(counts.after) written"
            )
        }
        for (type, counts) in otherMethods.sorted(by: { $0.key < $1.key }) where counts.before != counts.after {
            problems.append("\(tenant): \(type) \(counts.before) kept, \(counts.after) written")
        }
        if users.before + users.created != users.after {
            problems.append("\(tenant): users \(users.before) + \(users.created) ≠ \(users.after) written")
        }
        if rowsRead != rowsWritten {
            problems.append("\(tenant): \(rowsRead) export rows read, \(rowsWritten) written")
        }
        return problems
    }

    public var isBalanced: Bool { problems.isEmpty }

    /// The sum of several tenants' totals.
    static func sum(_ all: [TenantTotals]) -> TenantTotals {
        var total = TenantTotals(tenant: "total")
        total.isInScope = true
        for totals in all {
            total.changes.read += totals.changes.read
            total.changes.applied += totals.changes.applied
            total.changes.unchanged += totals.changes.unchanged
            total.changes.rejected += totals.changes.rejected
            total.changes.held += totals.changes.held
            for (kind, counts) in totals.methods {
                total.methods[kind, default: Methods()].before += counts.before
                total.methods[kind, default: Methods()].added += counts.added
                total.methods[kind, default: Methods()].deleted += counts.deleted
                total.methods[kind, default: Methods()].after += counts.after
            }
            for (type, counts) in totals.otherMethods {
                total.otherMethods[type, default: Methods()].before += counts.before
                total.otherMethods[type, default: Methods()].after += counts.after
            }
            total.users.before += totals.users.before
            total.users.created += totals.users.created
            total.users.after += totals.users.after
            total.rowsRead += totals.rowsRead
            total.rowsWritten += totals.rowsWritten
            total.deletes += totals.deletes
            total.isHeld = total.isHeld || totals.isHeld
            for (finding, count) in totals.findings { total.findings[finding, default: 0] += count }
        }
        return total
    }
}
