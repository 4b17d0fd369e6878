import SecurityInfo
import SecurityInfoFormats

/// The third phase, a pure function of what the first reading decided: R-THRESHOLD-DELETES per tenant (a tenant
/// whose applied deletes exceed its limit is held whole, every change of it `held`), and every decision counted
/// into its tenant's totals.
struct BatchDecisions {
    /// Per tenant: before (from the reading), the changes decided, the deletes against the limit.
    var totals: [String: TenantTotals]
    /// The decision on each row, held ones included.
    var results: ChangeResults
    var heldTenants: Set<String> = []
    /// Why each held tenant is held, for the log.
    var holds: [(tenant: String, reason: String)] = []

    init(_ evaluation: ExportEvaluation, inputs: BatchInputs, configuration: BatchConfiguration) {
        totals = evaluation.totals
        results = evaluation.results
        guard let changeFile = inputs.changeFile else { return }
        decideThresholds(changeFile: changeFile, policies: inputs.policies, configuration: configuration)
        countDecisions(changeFile: changeFile, redaction: Redaction(reveal: configuration.reveal))
    }

    private mutating func decideThresholds(
        changeFile: ChangeFile, policies: PolicySet, configuration: BatchConfiguration
    ) {
        var deletes: [String: Int] = [:]
        for (row, result) in zip(changeFile.rows, results) where result?.outcome == .applied {
            deletes[row.request.tenant, default: 0] += result!.deleted.count
        }
        for (tenant, var tenantTotals) in totals.sorted(by: { $0.key < $1.key }) where tenantTotals.isInScope {
            let methodsBefore = tenantTotals.methods.values.reduce(0) { $0 + $1.before }
            let threshold = DeleteThreshold(
                policy: policies.policy(for: tenant), methodsBefore: methodsBefore,
                allowance: configuration.deleteAllowances[tenant])
            tenantTotals.deletes = deletes[tenant] ?? 0
            tenantTotals.deleteLimit = threshold.limit
            tenantTotals.deleteLimitRaised = threshold.isOverride
            tenantTotals.isHeld = threshold.holds(deletes: tenantTotals.deletes)
            totals[tenant] = tenantTotals
            guard tenantTotals.isHeld else { continue }
            let reason = threshold.message(deletes: tenantTotals.deletes)
            heldTenants.insert(tenant)
            holds.append((tenant, reason))
            for (index, row) in changeFile.rows.enumerated() where row.request.tenant == tenant {
                results[index] = results[index]!.held(because: reason)
            }
        }
    }

    private mutating func countDecisions(changeFile: ChangeFile, redaction: Redaction) {
        // A tenant no export holds is named as the reports echo it: shifted columns put numbers there.
        for (row, result) in zip(changeFile.rows, results) {
            let result = result!
            let tenant = redaction.tenant(row.request.tenant)
            var tenantTotals = totals[tenant] ?? TenantTotals(tenant: tenant)
            tenantTotals.changes.read += 1
            tenantTotals.count(result.outcome)
            for kind in result.added { tenantTotals.methods[kind, default: .init()].added += 1 }
            for kind in result.deleted { tenantTotals.methods[kind, default: .init()].deleted += 1 }
            if result.createdUser { tenantTotals.users.created += 1 }
            totals[tenant] = tenantTotals
        }
    }
}
