import Foundation
import Logging
import SecurityInfo
import SecurityInfoFormats

extension BatchRun {
    /// Reads the policy and the change file, each hashed as it is parsed, and refuses a stale plan for what can be
    /// told before the exports are read: the tool, the rules, the options, which inputs are given, the policy's and
    /// the change file's bytes. The exports are hashed as they are read (`openExport`, `finishReading`).
    mutating func readInputs() throws(BatchError) {
        exportFiles = try InputDiscovery.exportFiles(in: configuration.exportPaths)
        try checkOutputPlaces()
        progress = ProgressCounter(
            observer: configuration.progress, exportBytes: exportFiles.reduce(0) { $0 + InputDiscovery.size(of: $1) })
        if let path = configuration.policyPath {
            let digest = InputDigest()
            do {
                let file = try InputFile(path: path, observe: digest.update)
                policies = try PolicyFile.read(path: path, bytes: file.readAll())
            } catch { throw .input(error) }
            otherInputs.append(SummaryReport.Input(path: path, role: "policy", digest: digest))
        }
        if let path = configuration.changesPath {
            let digest = InputDigest()
            do {
                let file = try InputFile(path: path, observe: digest.update)
                changeFile = try FormatRegistry.changeFile(file, maximumBytes: configuration.maximumInputBytes)
                try file.readToEnd()
            } catch { throw .input(error) }
            otherInputs.append(SummaryReport.Input(path: path, role: "changes", digest: digest))
            changeIndex = ChangeIndex(changeFile!)
        }
        if configuration.command == .apply, let path = configuration.planFilePath {
            let plan = try PlanFile.read(path: path)
            try refuse(
                plan, differing: plan.differences(inputs: planInputs, options: PlanFile.options(of: configuration)))
            self.plan = plan
        }
        logger.info(
            "inputs read",
            metadata: ["exports": "\(exportFiles.count)", "changes": "\(changeFile?.rows.count ?? 0)"])
    }

    /// Refuses, before anything is read or written, outputs that would land on an input or on each other.
    func checkOutputPlaces() throws(BatchError) {
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

    /// The inputs as `summary.json` lists them: the exports (once read), then the policy and the change file.
    var inputs: [SummaryReport.Input] { exportInputs + otherInputs }

    /// The inputs as a plan file records them; an export not read yet has no digest.
    var planInputs: [PlanFile.Input] {
        let read = exportInputs.map { PlanFile.Input(role: $0.role, path: $0.path, sha256: $0.sha256) }
        let unread = exportFiles.dropFirst(exportInputs.count).map {
            PlanFile.Input(role: "export", path: $0, sha256: nil)
        }
        return (read + unread + otherInputs.map { PlanFile.Input(role: $0.role, path: $0.path, sha256: $0.sha256) })
            .map {
                var input = $0
                input.path = URL(fileURLWithPath: input.path).standardizedFileURL.path
                return input
            }
    }

    /// `apply --plan-file`, once every export has been read: their bytes must be the ones planned. Nothing is in
    /// place yet, so a stale plan still leaves everything as it was.
    func checkExportsAgainstPlan() throws(BatchError) {
        guard let plan else { return }
        try refuse(plan, differing: plan.differences(inputs: planInputs, options: PlanFile.options(of: configuration)))
    }

    /// `apply --plan-file`, when an export cannot be read: if it, or one not read yet, is not what was planned, the
    /// plan is what is stale (exit 4), and the reading's error says where the file now breaks.
    func checkUnreadExportsAgainstPlan(after failure: InputError) throws(BatchError) {
        guard let plan else { return }
        var inputs = planInputs
        for (index, path) in exportFiles.enumerated().dropFirst(exportInputs.count) {
            let digest = InputDigest()
            guard (try? InputFile(path: path, observe: digest.update).readToEnd()) != nil else { continue }
            inputs[index].sha256 = digest.finish()
        }
        let differences = plan.differences(inputs: inputs, options: PlanFile.options(of: configuration))
        try refuse(plan, differing: differences.isEmpty ? [] : differences + ["reading it: \(failure)"])
    }

    private func refuse(_ plan: PlanFile, differing differences: [String]) throws(BatchError) {
        if !differences.isEmpty { throw .stalePlan(path: configuration.planFilePath ?? "", differences) }
    }

    /// Every change's outcome, as a plan file records it.
    var plannedOutcomes: [PlanFile.Planned] {
        zip(changeFile?.rows ?? ChangeRows(header: []), results).map { row, result in
            PlanFile.Planned(
                change: row.request.name, outcome: result!.outcome.rawValue, rule: result!.rule?.rawValue ?? "")
        }
    }

    /// An export opened for one reading: the file, once, its chunks, and the digest of the bytes they come from.
    struct ExportReading {
        let file: InputFile
        let digest: InputDigest
        let description: FileDescription
        var chunks: any ExportChunkReader
    }

    /// Opens export `fileIndex` for a reading; `confirming` as for `FormatRegistry.exportChunks`.
    func openExport(_ fileIndex: Int, confirming: Set<String>? = nil) throws(InputError) -> ExportReading {
        let digest = InputDigest()
        let progress = progress
        let file = try InputFile(path: exportFiles[fileIndex]) { bytes in
            digest.update(bytes)
            progress.read(bytes)
        }
        let description = try FormatRegistry.describe(file)
        let chunks = try FormatRegistry.exportChunks(
            file, maximumBytes: configuration.maximumInputBytes, confirming: confirming)
        return ExportReading(file: file, digest: digest, description: description, chunks: chunks)
    }

    /// After a reading: its digest recorded, the first time an export is read; a later reading must have read the
    /// same bytes, or the outputs would mix two versions of the file.
    mutating func finishReading(_ reading: ExportReading, file fileIndex: Int) throws(BatchError) {
        do { try reading.file.readToEnd() } catch { throw .input(error) }
        let input = SummaryReport.Input(path: exportFiles[fileIndex], role: "export", digest: reading.digest)
        if fileIndex == exportInputs.count {
            exportInputs.append(input)
        } else if exportInputs[fileIndex].sha256 != input.sha256 {
            throw .input(InputError(file: input.path, "the file changed while secinfo was reading it: run again"))
        }
    }
}

extension SummaryReport.Input {
    init(path: String, role: String, digest: InputDigest) {
        self.init(path: path, role: role, sha256: digest.finish(), bytes: digest.bytes)
    }
}
