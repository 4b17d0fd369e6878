import Foundation
import SecurityInfo
import SecurityInfoFormats

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
        /// Methods outside the nine, by Graph type; left out when there are none (CSV and XML exports).
        var otherMethods: [String: TenantTotals.Methods]?
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
            otherMethods = totals.otherMethods.isEmpty ? nil : totals.otherMethods
            users = totals.users
            exportRows = ["read": totals.rowsRead, "reread": totals.rowsWritten]
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
        // Encoding plain strings, numbers and dictionaries cannot fail.
        String(decoding: try! Self.encoder.encode(self), as: UTF8.self) + "\n"
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Writes what `json()` gives, a tenant at a time: JSONEncoder holds the whole document and a tree of it, which
    /// with 100,000 tenants took most of a gigabyte. The rest of the document is encoded with no tenants, and each
    /// tenant's object goes where the empty `tenants` object was, indented as the whole document indents it.
    func write(to sink: any ByteSink) throws(OutputError) {
        var frame = self
        frame.tenants = [:]
        let text = String(decoding: try! Self.encoder.encode(frame), as: UTF8.self) + "\n"
        let emptyTenants = "\n  \"tenants\" : {\n\n  },"
        guard !tenants.isEmpty, let place = text.range(of: emptyTenants) else {
            try sink.write(Array(text.utf8))
            return
        }
        try sink.write(Array(text[..<place.lowerBound].utf8) + Array("\n  \"tenants\" : {".utf8))
        for (index, name) in tenants.keys.sorted().enumerated() {
            let key = String(decoding: try! Self.encoder.encode(name), as: UTF8.self)
            let object = String(decoding: try! Self.encoder.encode(tenants[name]!), as: UTF8.self)
            var bytes = Array("\n    \(key) : ".utf8)
            for (number, line) in object.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if number > 0 { bytes.append(contentsOf: line.isEmpty ? "\n".utf8 : "\n    ".utf8) }
                bytes.append(contentsOf: line.utf8)
            }
            if index < tenants.count - 1 { bytes.append(UInt8(ascii: ",")) }
            try sink.write(bytes)
        }
        try sink.write(Array("\n  },".utf8) + Array(text[place.upperBound...].utf8))
    }
}
