import SecurityInfo
import SecurityInfoFormats

/// The second phase's value: what the first reading of the exports found and every change decided, before the
/// delete thresholds. The changes of users the exports do not hold are decided here, once the exports are read.
struct ExportEvaluation {
    /// Per tenant the exports hold: users, rows and methods before the batch.
    var totals: [String: TenantTotals]
    /// Where each tenant's last user is: created users are written after it.
    var lastUsers: [String: UserPlace]
    /// The decision on each row of the change file.
    var results: ChangeResults
    /// The object id of the user each row names, where a Graph export gives one.
    var objectIDs: [Int: String]
    /// Users that changes created, in their new state, per tenant, in the order of their first change.
    var createdUsers: [String: [User]] = [:]
    /// Per export file, the users the reading could not rule out as repeated.
    var unconfirmedRepeats: [Set<String>]
    /// The exports with the digest of the bytes read.
    var exports: [SummaryReport.Input]

    init(reading: ExportReading.Result, inputs: BatchInputs, configuration: BatchConfiguration) {
        totals = reading.totals
        lastUsers = reading.lastUsers
        results = reading.results
        objectIDs = reading.objectIDs
        unconfirmedRepeats = reading.unconfirmedRepeats
        exports = reading.exports
        guard let changeFile = inputs.changeFile else { return }
        // Users the exports do not hold: R-TENANT-SCOPE, R-USER-UNKNOWN, or created by `--create-users`. A user's
        // changes are decided together, at the first of them.
        for row in changeFile.rows.indices where !results.isDecided(row) {
            let rows = inputs.changeIndex.changes(sameUserAs: row, in: changeFile)
            let tenant = changeFile.rows[row].request.tenant
            let inScope = totals[tenant]?.isInScope ?? false
            let evaluation = RuleEngine.evaluate(
                user: nil, policy: inScope ? inputs.policies.policy(for: tenant) : nil,
                changes: rows.map { changeFile.rows[$0].request }, createUsers: configuration.createUsers)
            for (row, result) in zip(rows, evaluation.results) { results[row] = result }
            if let user = evaluation.after { createdUsers[tenant, default: []].append(user) }
        }
    }

    /// Whether what the first reading wrote can stand as the run's output: it took no tenant as held and wrote no
    /// created user, so only a run where none is held, none created and no repeat is left to confirm.
    func firstReadingStands(given decisions: BatchDecisions) -> Bool {
        decisions.heldTenants.isEmpty && createdUsers.isEmpty && unconfirmedRepeats.allSatisfy(\.isEmpty)
    }

    /// How a second reading writes: the held tenants, the created users after their tenant's last user, the repeats
    /// to confirm, and what the first reading decided and read, which it must repeat.
    func secondReadingPlan(given decisions: BatchDecisions) -> ReadingPlan {
        ReadingPlan(
            heldTenants: decisions.heldTenants,
            createdUsers: createdUsers.filter { !decisions.heldTenants.contains($0.key) }, lastUsers: lastUsers,
            confirming: unconfirmedRepeats, expectedResults: results, expectedDigests: exports.map(\.sha256))
    }
}
