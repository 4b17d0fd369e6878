import ArgumentParser
import SecurityInfoEngine

extension SecInfoCommand {
    /// `secinfo plan`: a dry run that decides every change as `apply` would and writes only the report.
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what apply would do: every change's outcome, the totals and the exit code it would give.")

        @OptionGroup var common: CommonOptions
        @OptionGroup var changeOptions: ChangeOptions

        @Option(help: "Also write the plan (input hashes, options, every outcome) to this file, for apply --plan-file.")
        var planFile: String?

        func run() throws {
            var configuration = common.configuration(for: .plan, changes: changeOptions.changes)
            try changeOptions.apply(to: &configuration)
            configuration.planFilePath = planFile
            try BatchCommandRunner.run(
                configuration, quiet: common.quiet, lock: common.lock, logFormat: common.logFormat)
        }
    }
}
