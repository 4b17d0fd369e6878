import Foundation
import Logging
import SecurityInfo
import SecurityInfoFormats

/// The first phase of a run: what it reads before its exports. The export files are found, the outputs checked to
/// land on no input and on no other output, the policy and the change file read (each hashed as it is parsed), and
/// a stale plan refused for what can be told before the exports are read.
struct BatchInputs {
    var exportFiles: [String]
    var policies = PolicySet()
    /// `nil` for `validate`, which takes none.
    var changeFile: ChangeFile?
    /// The rows of the change file naming each user.
    var changeIndex = ChangeIndex(ChangeFile(path: ""))
    /// The policy and the change file, with the digest of the bytes parsed.
    var hashed: [SummaryReport.Input] = []
    /// The plan `apply --plan-file` holds the run to.
    var plan: PlanFile?

    static func read(_ configuration: BatchConfiguration, logger: Logger) throws(BatchError) -> BatchInputs {
        try checkOptions(configuration)
        var inputs = BatchInputs(exportFiles: try InputDiscovery.exportFiles(in: configuration.exportPaths))
        try inputs.checkOutputPlaces(configuration)
        if let path = configuration.policyPath {
            let digest = InputDigest()
            do {
                let file = try InputFile(path: path, observe: digest.update)
                inputs.policies = try PolicyFile.read(path: path, bytes: file.readAll())
            } catch { throw .input(error) }
            inputs.hashed.append(SummaryReport.Input(path: path, role: "policy", digest: digest))
        }
        if let path = configuration.changesPath {
            let digest = InputDigest()
            let changeFile: ChangeFile
            do {
                let file = try InputFile(path: path, observe: digest.update)
                changeFile = try FormatRegistry.changeFile(file, maximumBytes: configuration.maximumInputBytes)
                try file.readToEnd()
            } catch { throw .input(error) }
            inputs.hashed.append(SummaryReport.Input(path: path, role: "changes", digest: digest))
            inputs.changeFile = changeFile
            inputs.changeIndex = ChangeIndex(changeFile)
        }
        if configuration.command == .apply, let path = configuration.planFilePath {
            let plan = try PlanFile.read(path: path)
            inputs.plan = plan
            try inputs.refuseStalePlan(exports: [], configuration)
        }
        logger.info(
            "inputs read",
            metadata: ["exports": "\(inputs.exportFiles.count)", "changes": "\(inputs.changeFile?.rows.count ?? 0)"])
        return inputs
    }

    private static func checkOptions(_ configuration: BatchConfiguration) throws(BatchError) {
        if configuration.command == .apply && configuration.outputDirectory == nil {
            throw .usage("apply needs --output DIR")
        }
        if configuration.command != .validate && configuration.changesPath == nil {
            throw .usage("\(configuration.command.rawValue) needs --changes PATH")
        }
        if !configuration.deleteAllowances.isEmpty
            && (configuration.deleteAllowanceReason ?? "").trimmingWhitespace.isEmpty
        {
            throw .usage("--allow-deletes needs --reason TEXT, which the report records")
        }
    }

    /// The export files' total size now, for the progress line's estimate only.
    var exportBytes: Int { exportFiles.reduce(0) { $0 + InputDiscovery.size(of: $1) } }

    /// The inputs as `summary.json` lists them: the exports as read, then the policy and the change file.
    func summaryInputs(exports: [SummaryReport.Input]) -> [SummaryReport.Input] { exports + hashed }

    /// The inputs as a plan file records them; an export not read yet (past `exports`) has no digest.
    func planInputs(exports: [SummaryReport.Input]) -> [PlanFile.Input] {
        let read = exports.map { PlanFile.Input(role: $0.role, path: $0.path, sha256: $0.sha256) }
        let unread = exportFiles.dropFirst(exports.count).map { PlanFile.Input(role: "export", path: $0, sha256: nil) }
        return (read + unread + hashed.map { PlanFile.Input(role: $0.role, path: $0.path, sha256: $0.sha256) })
            .map {
                var input = $0
                input.path = URL(fileURLWithPath: input.path).standardizedFileURL.path
                return input
            }
    }

    /// `apply --plan-file`: refused with exit 4 when anything known so far differs from the plan (the tool, the
    /// rules, the options, the inputs given, the digests of what has been read).
    func refuseStalePlan(
        exports: [SummaryReport.Input], _ configuration: BatchConfiguration, after failure: InputError? = nil
    )
        throws(BatchError)
    {
        guard let plan else { return }
        let differences = plan.differences(
            inputs: planInputs(exports: exports), options: PlanFile.options(of: configuration))
        if !differences.isEmpty {
            throw .stalePlan(
                path: configuration.planFilePath ?? "",
                differences + (failure.map { ["reading it: \($0)"] } ?? []))
        }
    }

    /// `apply --plan-file`, when an export cannot be read: if it, or one not read yet, is not what was planned, the
    /// plan is what is stale (exit 4), and the reading's error says where the file now breaks.
    func refuseStalePlan(
        afterFailure failure: InputError, exports: [SummaryReport.Input], _ configuration: BatchConfiguration
    ) throws(BatchError) {
        guard plan != nil else { return }
        var hashed = exports
        for path in exportFiles.dropFirst(exports.count) {
            let digest = InputDigest()
            guard (try? InputFile(path: path, observe: digest.update).readToEnd()) != nil else { break }
            hashed.append(SummaryReport.Input(path: path, role: "export", digest: digest))
        }
        try refuseStalePlan(exports: hashed, configuration, after: failure)
    }

    /// Refuses, before anything is read or written, outputs that would land on an input or on each other.
    private func checkOutputPlaces(_ configuration: BatchConfiguration) throws(BatchError) {
        typealias Place = OutputClashes.Place
        var inputs = exportFiles.map { Place(option: "--export", path: $0) }
        if let path = configuration.policyPath { inputs.append(Place(option: "--policy", path: path)) }
        if let path = configuration.changesPath { inputs.append(Place(option: "--changes", path: path)) }
        var outputs: [Place] = []
        var outputFolders: [Place] = []
        if configuration.command == .apply, let folder = configuration.outputDirectory {
            outputs += try InputDiscovery.outputPaths(for: exportFiles, in: folder).map {
                Place(option: "--output", path: $0)
            }
            outputFolders.append(Place(option: "--output", path: folder))
        }
        if let folder = configuration.reportDirectory {
            outputs += ReportFiles.names.map {
                Place(option: "--report", path: (folder as NSString).appendingPathComponent($0))
            }
            outputFolders.append(Place(option: "--report", path: folder))
        }
        if let path = configuration.graphRequestsPath { outputs.append(Place(option: "--graph-requests", path: path)) }
        if let path = configuration.planFilePath {
            let place = Place(option: "--plan-file", path: path)
            if configuration.command == .apply { inputs.append(place) } else { outputs.append(place) }
        }
        let inputFolders = configuration.exportPaths.filter(InputDiscovery.isFolder).map {
            Place(option: "--export", path: $0)
        }
        try OutputClashes.check(
            inputs: inputs, inputFolders: inputFolders, outputs: outputs, outputFolders: outputFolders)
    }
}

extension SummaryReport.Input {
    init(path: String, role: String, digest: InputDigest) {
        self.init(path: path, role: role, sha256: digest.finish(), bytes: digest.bytes)
    }
}
