import Foundation
import SecurityInfo
import SecurityInfoFormats

/// `secinfo migrate`: the changes that give each target user the security info they had in the source, under the
/// target's policy. Only changes the rule engine applies cleanly against the target are emitted (so `apply` of a
/// fresh migration exits 0); everything else is listed per user and method, with why.
public enum Migration {
    public struct Configuration: Sendable {
        public var sourcePath: String
        public var targetPath: String
        public var sourceTenant: String?
        public var targetTenant: String?
        /// `--map-domain OLD=NEW`, lower-cased.
        public var domainMap: [String: String] = [:]
        public var userMapPath: String?
        public var policyPath: String?
        public var createUsers = false
        public var changesOut: String
        public var reportDirectory: String?
        public var reveal = false
        public var maximumInputBytes = FormatRegistry.defaultMaximumInputBytes

        public init(sourcePath: String, targetPath: String, changesOut: String) {
            self.sourcePath = sourcePath
            self.targetPath = targetPath
            self.changesOut = changesOut
        }
    }

    /// How far a source user's security info moved.
    public enum Status: String, Sendable, CaseIterable {
        case fully = "migrated fully"
        case partly = "migrated partly"
        case notAtAll = "not migrated"
    }

    /// What became of one source user.
    public struct UserOutcome: Sendable {
        public var sourceUser: String
        public var targetUser: String
        public var status: Status
        /// What the emitted changes move, e.g. `mobilePhone (add)`.
        public var moved: [String]
        /// Methods only the user can register (RULES.md R-ADD-USER-ONLY).
        public var mustReregister: [String]
        /// Methods or defaults the target's policy does not enable, or that another rule refuses there.
        public var blocked: [String]
        public var reason: String
    }

    public struct Result: Sendable {
        public var sourceTenant: String
        public var targetTenant: String
        public var users: [UserOutcome]
        public var changes: Int

        public func count(_ status: Status) -> Int { users.count { $0.status == status } }
    }

    public static func run(_ configuration: Configuration) throws(BatchError) -> Result {
        let source = try readTenant(
            configuration.sourcePath, tenant: configuration.sourceTenant, role: "--source", configuration)
        let target = try readTenant(
            configuration.targetPath, tenant: configuration.targetTenant, role: "--target", configuration)
        var policies = PolicySet()
        if let path = configuration.policyPath {
            do { policies = try PolicyFile.read(path: path) } catch { throw .input(error) }
        }
        let userMap = try configuration.userMapPath.map { (path) throws(BatchError) in
            try readUserMap(path, configuration)
        }
        var planner = Planner(
            sourceTenant: source.tenant, targetTenant: target.tenant, targetUsers: target.users,
            policy: policies.policy(for: target.tenant), configuration: configuration, userMap: userMap)
        let (outcomes, rows) = planner.plan(sourceUsers: source.users)
        try writeChanges(rows, configuration: configuration)
        let result = Result(
            sourceTenant: source.tenant, targetTenant: target.tenant, users: outcomes, changes: rows.count)
        if let folder = configuration.reportDirectory {
            try MigrationReport.write(result, folder: folder, reveal: configuration.reveal)
        }
        return result
    }

    // MARK: Inputs

    /// The users of one tenant of an export, in export order: the named one, or the only one the file holds.
    static func readTenant(_ path: String, tenant: String?, role: String, _ configuration: Configuration)
        throws(BatchError) -> (tenant: String, users: [User])
    {
        var users: [String: [User]] = [:]
        var order: [String] = []
        do {
            var reader = try FormatRegistry.exportReader(path: path, maximumBytes: configuration.maximumInputBytes)
            while let record = try reader.next() {
                guard tenant == nil || record.tenant == tenant else { continue }
                if users[record.tenant] == nil { order.append(record.tenant) }
                users[record.tenant, default: []].append(record.user)
            }
            try FormatRegistry.confirmRepeats(
                reader.unconfirmedRepeats, path: path, maximumBytes: configuration.maximumInputBytes)
        } catch { throw .input(error) }
        if let tenant {
            guard let found = users[tenant] else {
                throw .usage("\(path) holds no tenant '\(tenant)' (\(role)-tenant)")
            }
            return (tenant, found)
        }
        guard order.count == 1 else {
            throw .usage(
                order.isEmpty
                    ? "\(path) holds no users"
                    : "\(path) holds tenants \(order.joined(separator: ", ")): name one with \(role)-tenant")
        }
        return (order[0], users[order[0]]!)
    }

    /// `--user-map`: `source_user,target_user` rows; a source user mapped to two different users is ambiguous.
    static func readUserMap(_ path: String, _ configuration: Configuration) throws(BatchError) -> UserMap {
        var map = UserMap()
        do throws(InputError) {
            var csv = CSVReader(
                source: try FormatRegistry.openSource(
                    try InputFile(path: path), maximumBytes: configuration.maximumInputBytes))
            guard let header = try csv.next() else { return map }
            let names = header.fields.map { $0.trimmingWhitespace.lowercased() }
            guard let sourceColumn = names.firstIndex(of: "source_user"),
                let targetColumn = names.firstIndex(of: "target_user")
            else { throw InputError(file: path, line: 1, column: 1, "the header needs source_user and target_user") }
            while let record = try csv.next() {
                guard record.fields.count == header.fields.count else {
                    throw InputError(file: path, line: record.line, column: 1, "expected \(header.fields.count) fields")
                }
                let sourceKey = record.fields[sourceColumn].trimmingWhitespace.lowercased()
                let targetName = String(record.fields[targetColumn].trimmingWhitespace)
                if let earlier = map.targets[sourceKey], earlier.lowercased() != targetName.lowercased() {
                    map.ambiguous.insert(sourceKey)
                }
                map.targets[sourceKey] = targetName
            }
        } catch { throw .input(error) }
        return map
    }

    struct UserMap {
        /// Source user (lower-cased) → target user as written.
        var targets: [String: String] = [:]
        var ambiguous: Set<String> = []
    }

    static func writeChanges(_ rows: [ChangeRow], configuration: Configuration) throws(BatchError) {
        let path = configuration.changesOut
        guard let format = FileFormat(fileName: path) else {
            throw .usage("\(path): name the changes file .csv, .xml, .csv.gz or .xml.gz")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try InputDiscovery.makeFolder(folder) }
        do {
            let sink = try AtomicFileSink(path: path)
            let file = ChangeFile(path: path, header: ChangeFile.columns, rows: rows)
            try FormatRegistry.writeChangeFile(
                file, FileDescription(format: format, isCompressed: path.lowercased().hasSuffix(".gz")), path: path,
                sink: sink)
            try sink.commit()
        } catch { throw .output(error) }
    }
}
