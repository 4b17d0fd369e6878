import SecurityInfo
import SecurityInfoFormats

/// What a worker does with a chunk of an export, in every reading: each user read, evaluated by the rule engine
/// when the change file names it, put in its new state (unless its tenant is held), encoded for the writer and
/// audited for findings; the users changes created written after their tenant's last user. A user no change names
/// whose bytes are what the writer would write (`SummarizedUser`) is never decoded: its bytes are copied, and its
/// summary counted and audited.
struct ChunkProcessor: Sendable {
    let file: Int
    let path: String
    let plan: ReadingPlan
    let evaluator: ChangeEvaluator
    let encoder: any ExportEncoder
    let policies: PolicySet
    let includes: @Sendable (String) -> Bool
    /// Whether users may be kept as their bytes, where the writer writes the reader's format
    /// (`--decode-every-user` turns it off).
    let summarizes: Bool

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
        var hasChanges: Bool
        var policy: TenantPolicy
        var created: [User]
    }

    func process(_ chunk: ExportChunk) throws(OutputError) -> Outcome {
        let (policies, evaluator) = (policies, evaluator)
        // Whether a change names anyone in the tenant, asked once per run of a tenant's users, not per user (a set
        // lookup per user was 1.2 % of an XML run's CPU). The chunk is read on this thread only.
        var tenantWithChanges: (tenant: String, hasChanges: Bool)?
        let summarizing = Summarizing(
            policy: { policies.policy(for: $0) },
            namesUser: { tenant, userKey, hash in
                if tenantWithChanges?.tenant != tenant {
                    tenantWithChanges = (tenant, evaluator.tenantsWithChanges.contains(tenant))
                }
                return tenantWithChanges!.hasChanges && evaluator.names(userKey, tenant: tenant, hash: hash)
            })
        var users = chunk.read(summarizing: summarizes && chunk.isWritten(by: encoder) ? summarizing : nil)
        var batch = EncodedBatch(for: chunk, users: users)
        var decided: [DecidedUser] = []
        var context: TenantContext?
        for (index, user) in users.users.enumerated() {
            let tenant = user.tenant
            if context?.tenant != tenant {
                context = TenantContext(
                    tenant: tenant, last: plan.lastUsers?[tenant], isHeld: plan.heldTenants.contains(tenant),
                    isInScope: includes(tenant), hasChanges: evaluator.tenantsWithChanges.contains(tenant),
                    policy: policies.policy(for: tenant), created: plan.createdUsers[tenant] ?? [])
            }
            let tenantContext = context!
            if !plan.isFirst && tenantContext.last?.file != file {
                // A later reading met a tenant the first did not have here: not the file first read.
                users.failure = InputError(
                    file: path, line: user.line, column: 1,
                    "the file changed while secinfo was reading it (tenant '\(tenant)' is new): run again")
                users.users.removeSubrange(index...)
                users.unfinished = nil
                break
            }
            switch user {
            case .decoded(let record):
                // A user kept as bytes is one no change names: only a decoded user is looked up.
                var rows: [Int] = []
                if tenantContext.hasChanges {
                    rows = evaluator.rows(naming: record.user.key, tenant: tenant)
                }
                var after: User?
                if !rows.isEmpty {
                    let evaluation = evaluator.evaluate(record, rows: rows)
                    // A held tenant's users stay as they were (and their results say held).
                    if !tenantContext.isHeld { after = evaluation.after }
                    decided.append(
                        DecidedUser(
                            rows: rows, results: evaluation.results, line: record.line, name: record.user.name,
                            objectID: record.graph?.objectID))
                }
                try encode(record, as: after, context: tenantContext, input: users.bytes, into: &batch)
            case .summarized(let summarized):
                copy(summarized, from: users.bytes, context: tenantContext, into: &batch)
            }
            if let last = tenantContext.last, last.line == user.line {
                for user in tenantContext.created {
                    let created = ExportRecord(tenant: tenant, user: user, line: 0, rowCount: 0)
                    try encode(created, as: nil, context: tenantContext, input: users.bytes, into: &batch)
                }
            }
        }
        return Outcome(users: users, decided: decided, batch: batch)
    }

    /// One user, in its new state when it has one, encoded, counted and audited.
    private func encode(
        _ record: ExportRecord, as after: User?, context: TenantContext, input: [UInt8], into batch: inout EncodedBatch
    ) throws(OutputError) {
        let segment = batch.segment(for: record.tenant, input: input)
        // Most users are written as read: the record is copied only for one in a new state.
        let user = after ?? record.user
        let encoder = encoder
        if let after {
            var changed = record
            changed.user = after
            try batch.segments[segment].users.append { (bytes) throws(OutputError) in
                try encoder.encode(changed, into: &bytes)
            }
        } else {
            try batch.segments[segment].users.append { (bytes) throws(OutputError) in
                try encoder.encode(record, into: &bytes)
            }
        }
        batch.segments[segment].totals.count(user, otherTypes: record.graph?.otherTypes ?? [])
        batch.segments[segment].rowsRead += record.rowCount
        guard context.isInScope else { return }
        audit(UserSummary(user, policy: context.policy), name: user.name, context: context, into: &batch)
    }

    /// One user kept as its bytes: copied as they are, counted and audited from its summary.
    private func copy(
        _ user: SummarizedUser, from bytes: [UInt8], context: TenantContext, into batch: inout EncodedBatch
    ) {
        let segment = batch.segment(for: user.tenant, input: bytes)
        batch.segments[segment].users.append(input: user.encoded)
        batch.segments[segment].totals.count(user.summary.methodCounts)
        batch.segments[segment].rowsRead += user.rowCount
        guard context.isInScope else { return }
        let name = user.name
        audit(user.summary, name: name.text(in: bytes), context: context, into: &batch)
    }

    /// The findings of a user, counted and reported. The name is made only for a user with findings.
    private func audit(
        _ summary: UserSummary, name: @autoclosure () -> String, context: TenantContext,
        into batch: inout EncodedBatch
    ) {
        let found = Audit.findings(for: summary, policy: context.policy)
        guard !found.isEmpty else { return }
        let (tenant, name) = (context.tenant, name())
        for finding in found {
            batch.findingCounts[tenant, default: [:]][finding.id, default: 0] += 1
            batch.addExample(name, tenant: tenant, finding: finding.id)
        }
        FindingsReport.encode(tenant: tenant, user: name, findings: found, into: &batch.findings)
    }
}
