public import SecurityInfoFormats

/// What stops a run, each with its exit status; nothing is renamed into place.
public enum BatchError: Error, CustomStringConvertible {
    /// The options make no sense together (exit 2).
    case usage(String)
    /// An input is not what it claims (exit 2).
    case input(InputError)
    /// An output could not be written (exit 74).
    case output(OutputError)
    /// The control totals did not balance: a bug, never a data problem (exit 70).
    case unbalanced([String])
    /// `apply --plan-file`: an input, the policy, the tool or an option differs from the plan (exit 4).
    case stalePlan(path: String, [String])
    /// `apply --plan-file`: the inputs are the plan's but an outcome is not: a bug, never applied (exit 70).
    case planMismatch([String])

    public var exitStatus: ExitStatus {
        switch self {
        case .usage, .input: .usageOrInputError
        case .output: .outputError
        case .unbalanced, .planMismatch: .failedCheck
        case .stalePlan: .stalePlan
        }
    }

    public var description: String {
        switch self {
        case .usage(let message): message
        case .input(let error): error.description
        case .output(let error): error.description
        case .unbalanced(let problems): "the control totals do not balance: " + problems.joined(separator: "; ")
        case .stalePlan(let path, let differences):
            "the plan \(path) is stale, nothing written: " + differences.joined(separator: "; ")
        case .planMismatch(let differences):
            "outcomes differ from the plan although its inputs do not, nothing written: "
                + differences.joined(separator: "; ")
        }
    }

    /// Runs `body`, an input error of it the run's.
    public static func reading<Value>(_ body: () throws(InputError) -> Value) throws(BatchError) -> Value {
        do { return try body() } catch { throw .input(error) }
    }

    /// Runs `body`, an output error of it the run's.
    public static func writing<Value>(_ body: () throws(OutputError) -> Value) throws(BatchError) -> Value {
        do { return try body() } catch { throw .output(error) }
    }
}
