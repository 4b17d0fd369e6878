/// R-THRESHOLD-DELETES: the safety stop before a mass delete (Entra Connect's "prevent accidental deletes").
public struct DeleteThreshold: Sendable, Hashable {
    /// The most deletes the tenant may apply in this batch.
    public let limit: Int
    /// Set when `--allow-deletes` replaced the policy's limits for this run.
    public let isOverride: Bool

    /// The policy's limits: `maxDeletes`, and `maxDeletePercent` of the methods the tenant held before the batch.
    /// An allowance (`--allow-deletes TENANT=N`) replaces both.
    public init(policy: TenantPolicy, methodsBefore: Int, allowance: Int? = nil) {
        if let allowance {
            limit = allowance
            isOverride = true
        } else {
            var limit = policy.maxDeletes
            if let percent = policy.maxDeletePercent {
                limit = min(limit, Int((percent / 100 * Double(methodsBefore)).rounded(.down)))
            }
            self.limit = limit
            isOverride = false
        }
    }

    /// Whether this many applied deletes hold the whole tenant.
    public func holds(deletes: Int) -> Bool { deletes > limit }

    public func message(deletes: Int) -> String {
        "the tenant's \(deletes) deletes exceed the limit of \(limit)\(isOverride ? " set by --allow-deletes" : "")"
    }
}
