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

    /// The change file's rows naming a user (`User.key`), in file order; empty when none does.
    func rows(naming userKey: String, tenant: String) -> [Int] {
        index.changes(tenant: tenant, userKey: userKey, in: changeFile)
    }

    /// Whether a change names the user, in a tenant of `tenantsWithChanges` (a change in scope): `userKey` is
    /// `User.key` as UTF-8, and `hash` its `UserKeyHash`.
    func names(_ userKey: UnsafeBufferPointer<UInt8>, tenant: String, hash: UInt64) -> Bool {
        !index.changes(tenant: tenant, userKey: userKey, hash: hash, in: changeFile).isEmpty
    }

    /// A user the change file names, run through the rule engine: one result per row of `rows`.
    func evaluate(_ record: ExportRecord, rows: [Int]) -> UserEvaluation {
        RuleEngine.evaluate(
            user: record.user, policy: policies.policy(for: record.tenant),
            changes: rows.map { changeFile.rows[$0].request }, createUsers: createUsers)
    }
}
