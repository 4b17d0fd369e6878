import SecurityInfo
import SecurityInfoFormats

/// How a reading of the exports writes them. The first reading writes as if no tenant were held and no user
/// created, which is what most runs find, and records what it decides; a second, when the first cannot stand,
/// knows the held tenants and where created users go, and must decide as the first did.
struct ReadingPlan: Sendable {
    /// Tenants held by their delete threshold: their users are written as they were.
    var heldTenants: Set<String> = []
    /// Users changes created, per tenant, written after the tenant's last user.
    var createdUsers: [String: [User]] = [:]
    /// Where each tenant's last user is, from the first reading; `nil` on the first reading.
    var lastUsers: [String: UserPlace]?
    /// Per export file, the users the first reading left to confirm as repeated.
    var confirming: [Set<String>]?
    /// The first reading's decisions, which a later reading must repeat.
    var expectedResults: ChangeResults?
    /// The first reading's digest of each export: a later reading must read the same bytes.
    var expectedDigests: [String]?

    /// The first reading.
    static let first = ReadingPlan()

    var isFirst: Bool { lastUsers == nil }
}
