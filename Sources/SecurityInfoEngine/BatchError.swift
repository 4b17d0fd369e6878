public import SecurityInfoFormats

/// What stops a run. The command line maps each to its exit code; nothing is renamed into place.
public enum BatchError: Error, CustomStringConvertible {
    /// The options make no sense together (exit 2).
    case usage(String)
    /// An input is not what it claims (exit 2).
    case input(InputError)
    /// An output could not be written (exit 74).
    case output(OutputError)
    /// The control totals did not balance: a bug, never a data problem (exit 70).
    case unbalanced([String])

    /// The error a failure of the formats layer stops the run with.
    init(_ error: any Error) {
        switch error {
        case let error as BatchError: self = error
        case let error as InputError: self = .input(error)
        case let error as OutputError: self = .output(error)
        default: self = .usage("\(error)")
        }
    }

    public var description: String {
        switch self {
        case .usage(let message): message
        case .input(let error): error.description
        case .output(let error): error.description
        case .unbalanced(let problems): "the control totals do not balance: " + problems.joined(separator: "; ")
        }
    }
}
