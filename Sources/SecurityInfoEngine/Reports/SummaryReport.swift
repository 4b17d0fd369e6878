import Foundation
import SecurityInfo

/// `summary.json`: the run (command, versions, times, inputs with their SHA-256, options, exit code) and the
/// control totals per tenant and in total, each with its `balanced` flag.
struct SummaryReport: Encodable {
    struct Input: Encodable, Sendable {
        var path: String
        var role: String
        var sha256: String
        var bytes: Int
    }

    struct Options: Encodable {
        var policy: String?
        var output: String?
        var report: String?
        var tenants: [String]
        var createUsers: Bool
        var reveal: Bool
        var allowDeletes: [String: Int]
        var reason: String?
        var workers: Int
    }

    struct Deletes: Encodable {
        var count: Int
        var limit: Int?
        var raisedByAllowDeletes: Bool
        var held: Bool
    }

    struct Tenant: Encodable {
        var inScope: Bool
        var exportFile: String?
        var changes: TenantTotals.Changes
        var methods: [String: TenantTotals.Methods]
        var users: TenantTotals.Users
        var exportRows: [String: Int]
        var deletes: Deletes
        var findings: [String: Int]
        var balanced: Bool
        var problems: [String]

        init(_ totals: TenantTotals) {
            inScope = totals.isInScope
            exportFile = totals.exportFile
            changes = totals.changes
            methods = Dictionary(uniqueKeysWithValues: totals.methods.map { ($0.key.rawValue, $0.value) })
            users = totals.users
            exportRows = ["read": totals.rowsRead, "reread": totals.rowsReread]
            deletes = Deletes(
                count: totals.deletes, limit: totals.deleteLimit, raisedByAllowDeletes: totals.deleteLimitRaised,
                held: totals.isHeld)
            findings = Dictionary(uniqueKeysWithValues: totals.findings.map { ($0.key.rawValue, $0.value) })
            balanced = totals.isBalanced
            problems = totals.problems
        }
    }

    var command: String
    var toolVersion = SecInfoVersion.tool
    var ruleVersion = RuleID.version
    var startedAt: String
    var endedAt: String
    var inputs: [Input]
    var options: Options
    var exitCode: Int32
    var balanced: Bool
    var tenants: [String: Tenant]
    var total: Tenant

    init(
        configuration: BatchConfiguration, startedAt: Date, endedAt: Date, inputs: [Input], tenants: [TenantTotals],
        total: TenantTotals, exitCode: Int32
    ) {
        command = configuration.command.rawValue
        self.startedAt = startedAt.formatted(.iso8601)
        self.endedAt = endedAt.formatted(.iso8601)
        self.inputs = inputs
        options = Options(
            policy: configuration.policyPath, output: configuration.outputDirectory,
            report: configuration.reportDirectory, tenants: configuration.tenants.sorted(),
            createUsers: configuration.createUsers, reveal: configuration.reveal,
            allowDeletes: configuration.deleteAllowances, reason: configuration.deleteAllowanceReason,
            workers: configuration.workers)
        self.exitCode = exitCode
        self.tenants = Dictionary(uniqueKeysWithValues: tenants.map { ($0.tenant, Tenant($0)) })
        self.total = Tenant(total)
        balanced = tenants.allSatisfy(\.isBalanced) && total.isBalanced
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and dictionaries cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self) + "\n"
    }
}
