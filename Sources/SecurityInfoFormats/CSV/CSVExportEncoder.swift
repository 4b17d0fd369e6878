import SecurityInfo

/// Encodes users as CSV export rows: one per method, one with an empty `method` for a user with none.
public struct CSVExportEncoder: ExportEncoder {
    public init() {}

    public func encode(_ record: ExportRecord, into bytes: inout [UInt8]) throws(OutputError) {
        let user = record.user
        // The user's columns are the same on each of its rows: encoded once, copied per row.
        var prefix: [UInt8] = []
        for field in [record.tenant, user.name, user.isAdmin ? "true" : "false", user.defaultMethod.rawValue] {
            CSVWriter.appendField(field, to: &prefix)
            prefix.append(Self.comma)
        }
        if user.methods.isEmpty {
            bytes.append(contentsOf: prefix)
            bytes.append(contentsOf: [Self.comma, Self.comma, Self.lineFeed])
        }
        for method in user.methods {
            bytes.append(contentsOf: prefix)
            CSVWriter.appendField(method.kind.rawValue, to: &bytes)
            bytes.append(Self.comma)
            CSVWriter.appendField(method.id, to: &bytes)
            bytes.append(Self.comma)
            CSVWriter.appendField(method.value, to: &bytes)
            bytes.append(Self.lineFeed)
        }
    }

    private static let comma = UInt8(ascii: ","), lineFeed = UInt8(ascii: "\n")
}
