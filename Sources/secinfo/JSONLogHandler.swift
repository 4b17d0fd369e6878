import Foundation
import Logging

/// `--log-format json`: one JSON object a line on stderr (`timestamp`, `level`, `label`, `message`, and the
/// metadata), for log collectors. What secinfo logs holds tenants, files and counts, never a phone number or an
/// address.
struct JSONLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning
    let label: String
    /// Where each line goes: standard error, unless a test says otherwise.
    var write: @Sendable (Data) -> Void = { FileHandle.standardError.write($0) }

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            object[key] = "\(value)"
        }
        // The line's own fields win over metadata of the same name.
        object.merge(
            [
                "timestamp": Date().formatted(.iso8601), "level": event.level.rawValue, "label": label,
                "message": "\(event.message)",
            ], uniquingKeysWith: { $1 })
        // Strings only: this cannot fail.
        var line = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        line.append(0x0A)
        write(line)
    }
}
