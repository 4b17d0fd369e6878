import ArgumentParser
import Foundation
import SecurityInfoEngine

extension SecInfoCommand {
    /// `secinfo migrate`: the changes that move users' security info from one tenant to another.
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the changes that give each target user the security info they had in the source.",
            discussion: """
                Users match through --user-map first, then by UPN with --map-domain applied, without regard to \
                case. Only changes that apply cleanly against the target under its policy are written; the report \
                lists, per user and method, what must be registered again by the user and what the target blocks.
                """)

        @Option(help: "The source tenant's export.") var source: String
        @Option(help: "The target tenant's export.") var target: String
        @Option(help: "The source tenant, when the source export holds several.") var sourceTenant: String?
        @Option(help: "The target tenant, when the target export holds several.") var targetTenant: String?
        @Option(
            name: .customLong("map-domain"),
            help: ArgumentHelp(
                "Map a UPN domain of the source to one of the target (repeatable).", valueName: "OLD=NEW"))
        var mapDomains: [String] = []
        @Option(help: "A CSV of source_user,target_user pairs, matched before UPNs.") var userMap: String?
        @Option(help: "The policy file; the target tenant's policy decides.") var policy: String?
        @Flag(help: "Also write changes for source users the target lacks (apply them with --create-users).")
        var createUsers = false
        @Option(help: "The change file to write (.csv, .xml, .gz); always written.") var changesOut: String
        @Option(help: "Write migration.csv and report.html to this folder.") var report: String?
        @Option(help: "The most bytes any one input may give after decompression.")
        var maxInputBytes: Int = FormatLimits.defaultMaximumInputBytes
        @Flag(help: "Print nothing on success but errors.") var quiet = false

        func domainMap() throws -> [String: String] {
            var map: [String: String] = [:]
            for pair in mapDomains {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw ValidationError("--map-domain takes OLD=NEW, not '\(pair)'")
                }
                let old = parts[0].lowercased()
                if let earlier = map[old], earlier != parts[1].lowercased() {
                    throw ValidationError("--map-domain maps \(old) twice")
                }
                map[old] = parts[1].lowercased()
            }
            return map
        }

        func validate() throws { _ = try domainMap() }

        func run() throws {
            var configuration = Migration.Configuration(sourcePath: source, targetPath: target, changesOut: changesOut)
            configuration.sourceTenant = sourceTenant
            configuration.targetTenant = targetTenant
            configuration.domainMap = try domainMap()
            configuration.userMapPath = userMap
            configuration.policyPath = policy
            configuration.createUsers = createUsers
            configuration.reportDirectory = report
            configuration.maximumInputBytes = maxInputBytes
            let result: Migration.Result
            do { result = try Migration.run(configuration) } catch {
                FileHandle.standardError.write(Data("secinfo: error: \(error)\n".utf8))
                throw ExitCode(error.exitStatus)
            }
            guard !quiet else { return }
            print(
                "secinfo migrate: \(result.sourceTenant) → \(result.targetTenant), \(result.users.count) source users")
            for status in Migration.Status.allCases { print("  \(status.rawValue): \(result.count(status))") }
            print("wrote \(result.changes) changes: \(changesOut)")
            if let report { print("report: \(report)") }
        }
    }
}
