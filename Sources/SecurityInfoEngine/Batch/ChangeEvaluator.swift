import SecurityInfo
import SecurityInfoFormats

/// The rule engine's side of a reading, for the workers: the users the change file names, and their changes.
struct ChangeEvaluator: Sendable {
    /// The tenants in scope that a change names: the users of the others need no lookup.
    let tenantsWithChanges: Set<String>
    let index: ChangeIndex
    let changeFile: ChangeFile
    let policies: PolicySet
    let createUsers: Bool

    init(inputs: BatchInputs, configuration: BatchConfiguration) {
        tenantsWithChanges = inputs.changeIndex.tenants.filter(configuration.includes(tenant:))
        index = inputs.changeIndex
        changeFile = inputs.changeFile ?? ChangeFile(path: "")
        policies = inputs.policies
        createUsers = configuration.createUsers
    }

    /// A user the change file names, run through the rule engine.
    struct Evaluated: Sendable {
        /// The user's place among the records evaluated.
        var index: Int
        /// The change file's rows naming the user, in file order, one result each.
        var rows: [Int]
        var evaluation: UserEvaluation
    }

    /// The users among `records` the change file names, each run through the rule engine.
    func evaluate(_ records: [ExportRecord]) -> [Evaluated] {
        var evaluated: [Evaluated] = []
        // Whether the tenant has changes, looked up once per run of the tenant's users.
        var tenant = ""
        var tenantHasChanges = false
        for (position, record) in records.enumerated() {
            if record.tenant != tenant {
                tenant = record.tenant
                tenantHasChanges = tenantsWithChanges.contains(tenant)
            }
            guard tenantHasChanges else { continue }
            let rows = index.changes(tenant: tenant, userKey: record.user.key, in: changeFile)
            guard !rows.isEmpty else { continue }
            let evaluation = RuleEngine.evaluate(
                user: record.user, policy: policies.policy(for: tenant),
                changes: rows.map { changeFile.rows[$0].request }, createUsers: createUsers)
            evaluated.append(.init(index: position, rows: rows, evaluation: evaluation))
        }
        return evaluated
    }
}
