public import SecurityInfo

/// One row of a change file: what the rule engine reads, and the fields exactly as read.
public struct ChangeRow: Sendable {
    public var request: ChangeRequest
    public var fields: [String]

    public init(request: ChangeRequest, fields: [String]) {
        self.request = request
        self.fields = fields
    }
}
