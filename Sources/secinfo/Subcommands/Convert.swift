import ArgumentParser
import Foundation
import SecurityInfoEngine

extension SecInfoCommand {
    /// `secinfo convert`: an export or change file in another format.
    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite an export or a change file as CSV or XML, gzipped when the target name ends .gz.")

        @Option(help: "The file to read (CSV or XML, gzipped or not).")
        var from: String

        @Option(help: "The file to write: its name (.csv, .xml, .csv.gz, .xml.gz) says the format.")
        var to: String

        @Option(help: "The most bytes the input may give after decompression.")
        var maxInputBytes: Int = FormatLimits.defaultMaximumInputBytes

        func run() throws {
            do {
                let result = try Conversion.run(from: from, to: to, maximumInputBytes: maxInputBytes)
                print(
                    "converted \(result.kind): \(result.count) \(result.kind == "export" ? "users" : "changes") → \(to)"
                )
                for (what, count) in result.notCarried { print("not carried: \(what) (\(count))") }
            } catch {
                FileHandle.standardError.write(Data("secinfo: error: \(error)\n".utf8))
                throw ExitCode(error.exitStatus)
            }
        }
    }
}
