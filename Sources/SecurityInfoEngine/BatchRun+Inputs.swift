import Foundation
import Logging
import SecurityInfo
import SecurityInfoFormats

extension BatchRun {
    /// Hashes every input before parsing any (so a stale plan is refused before any work), then parses the
    /// policy and the change file.
    mutating func readInputs() throws(BatchError) {
        exportFiles = try InputDiscovery.exportFiles(in: configuration.exportPaths)
        for file in exportFiles { try recordInput(file, role: "export") }
        if let path = configuration.policyPath { try recordInput(path, role: "policy") }
        if let path = configuration.changesPath { try recordInput(path, role: "changes") }
        progress = ProgressCounter(
            observer: configuration.progress,
            exportBytes: inputs.filter { $0.role == "export" }.reduce(0) { $0 + $1.bytes })
        if configuration.command == .apply, let path = configuration.planFilePath {
            let plan = try PlanFile.read(path: path)
            let differences = plan.differences(inputs: planInputs, options: PlanFile.options(of: configuration))
            if !differences.isEmpty { throw .stalePlan(path: path, differences) }
            self.plan = plan
        }
        if let path = configuration.policyPath {
            do { policies = try PolicyFile.read(path: path) } catch { throw .input(error) }
        }
        if let path = configuration.changesPath {
            do {
                changeFile = try FormatRegistry.changeFile(path: path, maximumBytes: configuration.maximumInputBytes)
            } catch { throw .input(error) }
            changeIndex = ChangeIndex(changeFile!)
        }
        logger.info(
            "inputs read",
            metadata: ["exports": "\(exportFiles.count)", "changes": "\(changeFile?.rows.count ?? 0)"])
    }

    /// The inputs as a plan file records them.
    var planInputs: [PlanFile.Input] {
        inputs.map {
            PlanFile.Input(
                role: $0.role, path: URL(fileURLWithPath: $0.path).standardizedFileURL.path, sha256: $0.sha256)
        }
    }

    /// Every change's outcome, as a plan file records it.
    var plannedOutcomes: [PlanFile.Planned] {
        zip(changeFile?.rows ?? ChangeRows(header: []), results).map { row, result in
            PlanFile.Planned(
                change: row.request.name, outcome: result!.outcome.rawValue, rule: result!.rule?.rawValue ?? "")
        }
    }

    mutating func recordInput(_ path: String, role: String) throws(BatchError) {
        do {
            let digest = try FileDigest.sha256(path: path)
            inputs.append(SummaryReport.Input(path: path, role: role, sha256: digest.hex, bytes: digest.bytes))
        } catch { throw .input(error) }
    }
}
