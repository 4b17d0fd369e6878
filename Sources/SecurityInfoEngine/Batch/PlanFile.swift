import Foundation
import SecurityInfo

/// What `plan --plan-file P` records and `apply --plan-file P` holds the run to: the SHA-256 of every input and
/// of the policy, the tool and rule version, the options that decide outcomes, and every change's planned outcome.
struct PlanFile: Codable, Equatable {
    static let currentVersion = 1

    struct Input: Codable, Equatable {
        var role: String
        /// The absolute path, so an apply started from another folder still matches.
        var path: String
        /// `nil` while the run has not read the input yet (never in a plan file).
        var sha256: String?
    }

    /// The options that change what a run decides (not where it writes or how it shows values).
    struct Options: Codable, Equatable {
        var tenants: [String]
        var createUsers: Bool
        var allowDeletes: [String: Int]
        var maxInputBytes: Int
        /// Whether the run makes Graph requests (`--graph-requests`), which marks manual steps in the outcomes.
        var graphRequests: Bool?
    }

    struct Planned: Codable, Equatable {
        var change: String
        var outcome: String
        var rule: String
    }

    var planFileVersion = currentVersion
    var toolVersion = SecInfoVersion.tool
    var ruleVersion = RuleID.version
    var inputs: [Input]
    var options: Options
    var outcomes: [Planned]
    var exitCode: Int32
    /// The SHA-256 of the `--graph-requests` file the plan made, when it made one: `apply --plan-file` must make
    /// the same bytes, so what is pushed is what was approved.
    var graphRequestsSHA256: String?

    static func options(of configuration: BatchConfiguration) -> Options {
        Options(
            tenants: configuration.tenants.sorted(), createUsers: configuration.createUsers,
            allowDeletes: configuration.deleteAllowances, maxInputBytes: configuration.maximumInputBytes,
            graphRequests: configuration.graphRequestsPath == nil ? nil : true)
    }

    static func read(path: String) throws(BatchError) -> PlanFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .usage("\(path): cannot read the plan file")
        }
        do { return try JSONDecoder().decode(PlanFile.self, from: data) } catch {
            throw .usage("\(path): not a secinfo plan file (\(error))")
        }
    }

    func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Strings, numbers and dictionaries of them always encode.
        return Array(try! encoder.encode(self)) + [0x0A]
    }

    /// What differs between this plan and the run about to apply it, in words; empty when nothing does. An input
    /// without a digest (not read yet) is compared by its presence only.
    func differences(inputs current: [Input], options currentOptions: Options) -> [String] {
        var differences: [String] = []
        if planFileVersion != Self.currentVersion { differences.append("plan file version \(planFileVersion)") }
        if toolVersion != SecInfoVersion.tool {
            differences.append("the tool changed (\(toolVersion) → \(SecInfoVersion.tool))")
        }
        if ruleVersion != RuleID.version {
            differences.append("the rules changed (\(ruleVersion) → \(RuleID.version))")
        }
        let planned = Dictionary(inputs.map { ("\($0.role) \($0.path)", $0) }, uniquingKeysWith: { first, _ in first })
        let now = Dictionary(current.map { ("\($0.role) \($0.path)", $0) }, uniquingKeysWith: { first, _ in first })
        for input in current {
            guard let before = planned["\(input.role) \(input.path)"] else {
                differences.append("\(input.role) \(input.path) was not in the plan")
                continue
            }
            if let now = input.sha256, before.sha256 != now {
                differences.append(
                    "\(input.role) \(input.path) changed (sha256 \((before.sha256 ?? "").prefix(12))… → \(now.prefix(12))…)"
                )
            }
        }
        for input in inputs where now["\(input.role) \(input.path)"] == nil {
            differences.append("\(input.role) \(input.path) was planned but is not given")
        }
        if options.tenants != currentOptions.tenants { differences.append("--tenant differs") }
        if options.createUsers != currentOptions.createUsers { differences.append("--create-users differs") }
        if options.allowDeletes != currentOptions.allowDeletes { differences.append("--allow-deletes differs") }
        if options.maxInputBytes != currentOptions.maxInputBytes { differences.append("--max-input-bytes differs") }
        if options.graphRequests != currentOptions.graphRequests { differences.append("--graph-requests differs") }
        return differences
    }
}
