import ArgumentParser
import SecurityInfoEngine

extension SecInfoCommand {
    /// `secinfo validate`: audits exports on their own, for nightly audits.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the exports, check them, and report the findings of every user.")

        @OptionGroup var common: CommonOptions

        func run() throws {
            try BatchCommandRunner.run(
                common.configuration(for: .validate), quiet: common.quiet, lock: common.lock,
                logFormat: common.logFormat)
        }
    }
}
