import Foundation
import SecurityInfoFormats

/// `secinfo convert`: rewrites an export or a change file in another format (by the target's name, gzip when it
/// ends `.gz`), losing nothing of the model. The kind of file is told by its content.
public enum Conversion {
    public struct Result: Sendable {
        /// "export" or "change file".
        public var kind: String
        /// Users (export) or changes (change file) written.
        public var count: Int
        /// What the target's format cannot hold of the source's, and how many times: a Graph export's methods
        /// outside the nine in CSV, say.
        public var notCarried: [(what: String, count: Int)] = []
    }

    public static func run(from source: String, to target: String, maximumInputBytes: Int) throws(BatchError) -> Result
    {
        guard let format = FileFormat(fileName: target) else {
            throw .usage("\(target): name the target \(FileFormat.names)")
        }
        let description = FileDescription(format: format, isCompressed: target.lowercased().hasSuffix(".gz"))
        // Output folders are created when missing (SPEC.md).
        let folder = (target as NSString).deletingLastPathComponent
        let createdFolders = CreatedFolders()
        if !folder.isEmpty { try createdFolders.make(folder) }
        do {
            let sink = try BatchError.writing { () throws(OutputError) in try AtomicFileSink(path: target) }
            let result: Result
            if try BatchError.reading({ () throws(InputError) in try FormatRegistry.holdsChanges(path: source) }) {
                let changes = try BatchError.reading { () throws(InputError) in
                    try FormatRegistry.changeFile(path: source, maximumBytes: maximumInputBytes)
                }
                try BatchError.writing { () throws(OutputError) in
                    try FormatRegistry.writeChangeFile(changes, description, path: target, sink: sink)
                }
                result = Result(kind: "change file", count: changes.rows.count)
            } else {
                var reader = try BatchError.reading { () throws(InputError) in
                    try FormatRegistry.exportReader(path: source, maximumBytes: maximumInputBytes)
                }
                var writer = try BatchError.writing { () throws(OutputError) in
                    try FormatRegistry.exportWriter(description, path: target, sink: sink)
                }
                var count = 0
                var notCarried: [String: Int] = [:]
                while let record = try BatchError.reading({ () throws(InputError) in try reader.next() }) {
                    try BatchError.writing { () throws(OutputError) in try writer.write(record) }
                    for what in record.notCarried(in: format) { notCarried[what, default: 0] += 1 }
                    count += 1
                }
                try BatchError.writing { () throws(OutputError) in try writer.finish() }
                // Users the reading could not rule out as repeated are confirmed by a second, before any commit.
                let unconfirmed = reader.unconfirmedRepeats
                try BatchError.reading { () throws(InputError) in
                    try FormatRegistry.confirmRepeats(unconfirmed, path: source, maximumBytes: maximumInputBytes)
                }
                result = Result(
                    kind: "export", count: count,
                    notCarried: notCarried.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            }
            try BatchError.writing { () throws(OutputError) in try sink.commit() }
            return result
        } catch {
            createdFolders.removeEmpty()
            throw error
        }
    }
}
