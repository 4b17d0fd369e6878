import SecurityInfo

/// Reads an export as a stream of users: the same interface for every format, so the engine never knows which.
public protocol ExportReader {
    var path: String { get }
    /// The next user, or `nil` at the end. A user's rows must be contiguous.
    mutating func next() throws(InputError) -> ExportRecord?
    /// Users this reading could not rule out having met before (see `UserRunIndex`): a second reading given them
    /// (`FormatRegistry.exportReader(path:maximumBytes:confirming:)`) confirms or clears each.
    var unconfirmedRepeats: Set<String> { get }
}
