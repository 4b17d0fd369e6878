import SecurityInfoFormats

/// Everything a run is asked to do, as the command line gave it.
public struct BatchConfiguration: Sendable {
    public enum Command: String, Sendable {
        /// A dry run: every decision of `apply`, nothing written but the report.
        case plan
        /// Applies the changes and writes one output export per input export.
        case apply
        /// Audits the exports alone: findings, no changes.
        case validate
    }

    public var command: Command
    /// Export files or folders (every `.csv`, `.xml`, `.csv.gz`, `.xml.gz` inside).
    public var exportPaths: [String]
    public var changesPath: String?
    public var policyPath: String?
    public var outputDirectory: String?
    public var reportDirectory: String?
    /// `--tenant`: only these tenants (empty: all).
    public var tenants: Set<String> = []
    public var createUsers = false
    /// `--reveal`: phone numbers and addresses unmasked in reports.
    public var reveal = false
    /// `--allow-deletes TENANT=N`: a tenant's delete limit for this run.
    public var deleteAllowances: [String: Int] = [:]
    /// `--reason`: why the limits were raised, recorded in the report.
    public var deleteAllowanceReason: String?
    /// `--plan-file`: written by `plan`, held to by `apply`.
    public var planFilePath: String?
    /// `--graph-requests`: the Graph batches that make the applied changes in the tenants (GRAPH.md §2).
    public var graphRequestsPath: String?
    /// `--max-input-bytes`: the most bytes any one input may give, after decompression.
    public var maximumInputBytes = FormatRegistry.defaultMaximumInputBytes
    /// Told where the run is (a terminal's progress line); `nil` under cron.
    public var progress: (any ProgressObserver)?
    /// `--workers`: how many Dispatch worker queues share the work (see `OrderedPipeline`).
    public var workers = 1
    /// `--decode-every-user`: every user of every export decoded and encoded again, none copied as its bytes. The
    /// outputs and reports are the same either way (tests compare the two); only the time differs.
    public var decodesEveryUser = false
    /// Whether a run reads and writes the exports a second time even when its first writing could stand (tests
    /// compare the two: the outputs are the same either way).
    var alwaysReadsTwice = false

    public init(command: Command, exportPaths: [String], changesPath: String? = nil) {
        self.command = command
        self.exportPaths = exportPaths
        self.changesPath = changesPath
    }

    /// Whether a tenant is within `--tenant`.
    public func includes(tenant: String) -> Bool { tenants.isEmpty || tenants.contains(tenant) }
}

/// Limits the command line shows as defaults.
public enum FormatLimits {
    /// `--max-input-bytes`'s default: see `FormatRegistry.defaultMaximumInputBytes`.
    public static let defaultMaximumInputBytes = FormatRegistry.defaultMaximumInputBytes
}
