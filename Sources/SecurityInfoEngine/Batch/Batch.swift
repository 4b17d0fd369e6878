import Foundation
public import Logging
import SecurityInfo
import SecurityInfoFormats

/// What a finished run reports to its caller: the exit code and the control totals.
public struct BatchResult: Sendable {
    public var command: BatchConfiguration.Command
    public var status: ExitStatus
    /// Per tenant, by tenant id.
    public var tenants: [TenantTotals]
    public var total: TenantTotals
    /// The exports written (`apply`), in input order.
    public var outputs: [String]
    public var reportDirectory: String?
    /// How many times each export was read: once when that reading stood, else twice.
    var exportReadings = 1
}

/// The version of the tool, recorded in reports.
public enum SecInfoVersion {
    public static let tool = "0.1.0"
}

/// Runs a batch: `plan`, `apply` or `validate`, as five phases, each a function of the values the ones before
/// gave: the inputs are read (`BatchInputs`); the exports are read once, every user evaluated, written in its new
/// state and audited, as if no tenant were held and no user created (`ExportReading`, `ExportEvaluation`); the
/// delete thresholds are decided (`BatchDecisions`); when that first writing cannot stand (a tenant held, a user
/// created, a repeat to confirm) it is dropped and the exports read and written again, knowing those; and the run is
/// finished (`RunFinish`): reports, plan file, renames. Nothing is in place until the last.
public enum Batch {
    public static func run(_ configuration: BatchConfiguration, logger: Logger) throws(BatchError) -> BatchResult {
        let startedAt = Date()
        let folders = CreatedFolders()
        do {
            return try run(configuration, logger: logger, startedAt: startedAt, folders: folders)
        } catch {
            folders.removeEmpty()
            throw error
        }
    }

    private static func run(
        _ configuration: BatchConfiguration, logger: Logger, startedAt: Date, folders: CreatedFolders
    ) throws(BatchError) -> BatchResult {
        let inputs = try BatchInputs.read(configuration, logger: logger)
        let progress = ProgressCounter(observer: configuration.progress, exportBytes: inputs.exportBytes)
        let reading = ExportReading(
            inputs: inputs, configuration: configuration, progress: progress,
            outputPaths: try prepareOutputFolder(configuration, inputs: inputs, folders: folders, logger: logger),
            reportFolder: try prepareReportFolder(configuration, folders: folders, logger: logger))

        let first: ExportReading.Result
        do { first = try reading.read(.first) } catch {
            progress.finish()
            if case .input(let failure) = error {
                try inputs.refuseStalePlan(afterFailure: failure, exports: [], configuration)
            }
            throw error
        }
        var written = first.written
        var readings = 1
        let evaluation = ExportEvaluation(reading: first, inputs: inputs, configuration: configuration)
        let decisions: BatchDecisions
        do {
            try inputs.refuseStalePlan(exports: evaluation.exports, configuration)
            try TenantNames.check(
                exportTenants: Set(evaluation.totals.keys), policies: inputs.policies, configuration: configuration,
                logger: logger)
            decisions = BatchDecisions(evaluation, inputs: inputs, configuration: configuration)
            for hold in decisions.holds {
                logger.warning("tenant held", metadata: ["tenant": "\(hold.tenant)", "reason": "\(hold.reason)"])
            }
            if !evaluation.firstReadingStands(given: decisions) || configuration.alwaysReadsTwice {
                logger.info("writing the exports again: a tenant is held, a user created or a repeat to confirm")
                written.discard()
                readings = 2
                written = try reading.read(evaluation.secondReadingPlan(given: decisions)).written
            }
        } catch {
            progress.finish()
            written.discard()
            throw error
        }
        progress.finish()
        do {
            var result = try RunFinish(
                configuration: configuration, inputs: inputs, exports: evaluation.exports, decisions: decisions,
                objectIDs: evaluation.objectIDs, written: written, startedAt: startedAt
            ).finish()
            result.exportReadings = readings
            return result
        } catch {
            written.discard()
            throw error
        }
    }

    /// `apply`: the output folder made, cleared of a killed run's leftovers; the outputs' paths.
    private static func prepareOutputFolder(
        _ configuration: BatchConfiguration, inputs: BatchInputs, folders: CreatedFolders, logger: Logger
    ) throws(BatchError) -> [String]? {
        guard configuration.command == .apply, let folder = configuration.outputDirectory else { return nil }
        try folders.make(folder)
        removeStaleTemporaries(in: folder, logger: logger)
        return try InputDiscovery.outputPaths(for: inputs.exportFiles, in: folder)
    }

    private static func prepareReportFolder(
        _ configuration: BatchConfiguration, folders: CreatedFolders, logger: Logger
    ) throws(BatchError) -> String? {
        guard let folder = configuration.reportDirectory else { return nil }
        try folders.make(folder)
        removeStaleTemporaries(in: folder, logger: logger)
        return folder
    }

    /// A run killed with `kill -9` leaves its temporary files; the next run in the folder removes them.
    private static func removeStaleTemporaries(in folder: String, logger: Logger) {
        for name in AtomicFileSink.removeStaleTemporaries(in: folder) {
            logger.warning("removed a stale temporary file of a killed run", metadata: ["file": "\(folder)/\(name)"])
        }
    }
}
