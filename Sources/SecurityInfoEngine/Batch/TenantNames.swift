import Logging
import SecurityInfo

/// The tenants that options and the policy name, held against the tenants the exports hold once they are read:
/// a safety setting that names no tenant would otherwise pass silently (a limit raised for nobody, a policy
/// that applies to nobody while the defaults apply instead).
enum TenantNames {
    /// After the first reading: errors for what can only be a mistake, warnings for what a legitimate run may do
    /// (README: "Tenant names").
    static func check(
        exportTenants held: Set<String>, policies: PolicySet, configuration: BatchConfiguration, logger: Logger
    ) throws(BatchError) {
        let heldByLowercase = Dictionary(held.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        func differingInCase(_ name: String) -> String? {
            held.contains(name) ? nil : heldByLowercase[name.lowercased()]
        }

        for tenant in policies.tenants.keys.sorted() where !held.contains(tenant) {
            if let exact = differingInCase(tenant) {
                throw .usage(
                    "\(configuration.policyPath ?? "the policy"): tenant '\(tenant)' is not the export's '\(exact)': tenant ids compare exactly, so '\(exact)' would get the defaults"
                )
            }
            logger.warning(
                "the policy names a tenant no export holds", metadata: ["tenant": "\(tenant)"])
        }

        for tenant in configuration.tenants.sorted() where !held.contains(tenant) {
            if let exact = differingInCase(tenant) {
                throw .usage("--tenant \(tenant) is not the export's '\(exact)': tenant ids compare exactly")
            }
            logger.warning("--tenant names a tenant no export holds", metadata: ["tenant": "\(tenant)"])
        }
        if !configuration.tenants.isEmpty && configuration.tenants.isDisjoint(with: held) {
            throw .usage("--tenant names no tenant the exports hold: the run would do nothing")
        }

        for tenant in configuration.deleteAllowances.keys.sorted() {
            if let exact = differingInCase(tenant) {
                throw .usage("--allow-deletes \(tenant) is not the export's '\(exact)': tenant ids compare exactly")
            }
            if !held.contains(tenant) {
                throw .usage("--allow-deletes names tenant '\(tenant)', which no export holds")
            }
            if !configuration.includes(tenant: tenant) {
                throw .usage("--allow-deletes names tenant '\(tenant)', which is outside --tenant")
            }
        }
    }
}
