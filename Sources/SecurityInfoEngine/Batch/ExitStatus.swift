/// How a run ends, as the exit codes of SPEC.md say: the one type every place that decides a code uses (a run's
/// result, its errors, the lock, the command line and its `--help`).
public enum ExitStatus: Int32, CaseIterable, Sendable, Comparable {
    case success = 0
    case rejections = 1
    case usageOrInputError = 2
    case held = 3
    case stalePlan = 4
    case tenantUnavailable = 69
    case failedCheck = 70
    case outputError = 74
    case lockHeld = 75

    /// What the code means, as `--help` lists it.
    public var meaning: String {
        switch self {
        case .success: "every change applied or unchanged"
        case .rejections: "some changes rejected (the rest applied); push: some requests failed or were skipped"
        case .usageOrInputError: "usage or input error (nothing written)"
        case .held: "a tenant held by a delete threshold (the others written)"
        case .stalePlan: "a stale plan file (nothing written)"
        case .tenantUnavailable: "pull or push: a tenant could not be reached or authenticated (the others were done)"
        case .failedCheck: "the control totals did not balance or an outcome differed from the plan"
        case .outputError: "an output could not be written"
        case .lockHeld: "another run holds --lock"
        }
    }

    /// A finished run's status: held tenants before rejections (SPEC.md: a run with both exits 3).
    static func of(_ total: TenantTotals) -> ExitStatus {
        total.changes.held > 0 ? .held : total.changes.rejected > 0 ? .rejections : .success
    }

    public static func < (lhs: ExitStatus, rhs: ExitStatus) -> Bool { lhs.rawValue < rhs.rawValue }
}
