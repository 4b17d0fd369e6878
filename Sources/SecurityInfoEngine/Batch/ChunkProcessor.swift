import SecurityInfo
import SecurityInfoFormats

/// What a worker does with a chunk of an export, in every reading: each user parsed, evaluated by the rule engine
/// when the change file names it, put in its new state (unless its tenant is held), encoded for the writer and
/// audited for findings; the users changes created written after their tenant's last user.
struct ChunkProcessor: Sendable {
    let file: Int
    let path: String
    let plan: ReadingPlan
    let evaluator: ChangeEvaluator
    let encoder: any ExportEncoder
    let policies: PolicySet
    let includes: @Sendable (String) -> Bool

    /// A user the rule engine decided on: the change file's rows naming it, a result each, and where it is.
    struct DecidedUser: Sendable {
        var rows: [Int]
        var results: [ChangeResult]
        var line: Int
        var name: String
        /// The user's object id in a Graph export: its requests name it by that.
        var objectID: String?
    }

    /// What a chunk gives the collector.
    struct Outcome: Sendable {
        /// The chunk's users, and its error, raised after the users before it are counted.
        var users: ExportChunk.Users
        var decided: [DecidedUser]
        var batch: EncodedBatch
    }

    /// What a user's tenant decides, looked up once per run of the tenant's users.
    private struct TenantContext {
        var tenant: String
        var last: UserPlace?
        var isHeld: Bool
        var isInScope: Bool
        var policy: TenantPolicy
        var created: [User]
    }

    func process(_ chunk: ExportChunk) throws(OutputError) -> Outcome {
        var batch = EncodedBatch(for: chunk)
        var users = chunk.read()
        let evaluated = evaluator.evaluate(users.records)
        var evaluatedUsers = evaluated.makeIterator()
        var next = evaluatedUsers.next()
        var context: TenantContext?
        for (index, record) in users.records.enumerated() {
            let tenant = record.tenant
            if context?.tenant != tenant {
                context = TenantContext(
                    tenant: tenant, last: plan.lastUsers?[tenant], isHeld: plan.heldTenants.contains(tenant),
                    isInScope: includes(tenant), policy: policies.policy(for: tenant),
                    created: plan.createdUsers[tenant] ?? [])
            }
            let tenantContext = context!
            if !plan.isFirst && tenantContext.last?.file != file {
                // A later reading met a tenant the first did not have here: not the file first read.
                users.failure = InputError(
                    file: path, line: record.line, column: 1,
                    "the file changed while secinfo was reading it (tenant '\(tenant)' is new): run again")
                users.records.removeSubrange(index...)
                users.unfinished = nil
                break
            }
            var after: User?
            if let user = next, user.index == index {
                // A held tenant's users stay as they were (and their results say held).
                if !tenantContext.isHeld { after = user.evaluation.after }
                next = evaluatedUsers.next()
            }
            try encode(record, as: after, context: tenantContext, into: &batch)
            if let last = tenantContext.last, last.line == record.line {
                for user in tenantContext.created {
                    let created = ExportRecord(tenant: tenant, user: user, line: 0, rowCount: 0)
                    try encode(created, as: nil, context: tenantContext, into: &batch)
                }
            }
        }
        let decided = evaluated.filter { $0.index < users.records.count }.map {
            DecidedUser(
                rows: $0.rows, results: $0.evaluation.results, line: users.records[$0.index].line,
                name: users.records[$0.index].user.name, objectID: users.records[$0.index].graph?.objectID)
        }
        return Outcome(users: users, decided: decided, batch: batch)
    }

    /// One user, in its new state when it has one, encoded, counted and audited.
    private func encode(_ record: ExportRecord, as after: User?, context: TenantContext, into batch: inout EncodedBatch)
        throws(OutputError)
    {
        let tenant = record.tenant
        if batch.segments.last?.tenant != tenant {
            var segment = EncodedBatch.Segment(tenant: tenant)
            // Only the first: a chunk of many small tenants would otherwise reserve its size for each.
            if batch.segments.isEmpty { segment.bytes.reserveCapacity(batch.segmentCapacity) }
            batch.segments.append(segment)
        }
        let last = batch.segments.count - 1
        // Most users are written as read: the record is copied only for one in a new state.
        let user = after ?? record.user
        if let after {
            var changed = record
            changed.user = after
            try encoder.encode(changed, into: &batch.segments[last].bytes)
        } else {
            try encoder.encode(record, into: &batch.segments[last].bytes)
        }
        batch.segments[last].totals.count(user, otherTypes: record.graph?.otherTypes ?? [])
        batch.segments[last].rowsRead += record.rowCount
        guard context.isInScope else { return }
        let found = Audit.findings(for: user, policy: context.policy)
        guard !found.isEmpty else { return }
        for finding in found {
            batch.findingCounts[tenant, default: [:]][finding.id, default: 0] += 1
            batch.addExample(user.name, tenant: tenant, finding: finding.id)
        }
        FindingsReport.encode(tenant: tenant, user: user.name, findings: found, into: &batch.findings)
    }
}
