import SecurityInfo
import SecurityInfoFormats

/// What a worker makes of a chunk's users for the writer: their bytes, encoded, per run of one tenant's users, with
/// what they hold, and their findings.
struct EncodedBatch: Sendable {
    /// Consecutive users of one tenant, encoded, with what they hold.
    struct Segment: Sendable {
        var tenant: String
        var users: EncodedUsers
        var totals = WrittenTotals()
        /// The export rows its users took when read.
        var rowsRead = 0
    }
    var segments: [Segment] = []
    /// The room the first segment starts with: about the chunk's own size, so that its bytes are not copied as they
    /// grow, and stay under the size glibc maps and unmaps on each use (see the command line's threshold).
    var segmentCapacity = 0
    var findings: [UInt8] = []
    var findingCounts: [String: [FindingID: Int]] = [:]
    /// The first users of each tenant and finding, for the report page.
    var findingExamples: [String: [FindingID: [String]]] = [:]
    /// Rows written, per tenant: summed on the collector from the segments'.
    var rowsWritten: [String: Int] = [:]

    init() {}

    /// An empty batch for the users of `chunk`, its first segment to start with room for the share of the chunk's
    /// users that are encoded (not kept as read).
    init(for chunk: ExportChunk, users: ExportChunk.Users) {
        let encoded = users.users.count { if case .decoded = $0 { true } else { false } }
        let share = users.users.isEmpty ? chunk.byteCount : chunk.byteCount / users.users.count * encoded
        segmentCapacity = share + share / 8 + 4096
    }

    /// The segment a user of `tenant` goes to: the last, or a new one when the tenant changes. `input`: the bytes
    /// users kept as read are in.
    mutating func segment(for tenant: String, input: [UInt8]) -> Int {
        if segments.last?.tenant != tenant {
            // Only the first reserves: a chunk of many small tenants would otherwise reserve its size for each.
            let users = EncodedUsers(input: input, capacity: segments.isEmpty ? segmentCapacity : 0)
            segments.append(Segment(tenant: tenant, users: users))
        }
        return segments.count - 1
    }

    /// Keeps the first few examples of each finding, in order.
    mutating func addExample(_ user: String, tenant: String, finding: FindingID) {
        var examples = findingExamples[tenant, default: [:]][finding, default: []]
        guard examples.count < HTMLReport.examplesShown else { return }
        examples.append(user)
        findingExamples[tenant, default: [:]][finding] = examples
    }
}
