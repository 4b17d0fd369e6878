import ArgumentParser
import SecurityInfoEngine

extension SecInfoCommand {
    /// `secinfo apply`: applies the changes and writes one output export per input export.
    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply the changes and write the new exports (same names, same formats) into --output.")

        @OptionGroup var common: CommonOptions
        @OptionGroup var changeOptions: ChangeOptions

        @Option(
            help:
                "Apply only if the inputs, policy, tool and options still match this plan (else exit 4), with its outcomes."
        )
        var planFile: String?

        @Option(help: "The folder the new exports are written to.")
        var output: String

        func run() throws {
            var configuration = common.configuration(for: .apply, changes: changeOptions.changes)
            try changeOptions.apply(to: &configuration)
            configuration.planFilePath = planFile
            configuration.outputDirectory = output
            try BatchCommandRunner.run(
                configuration, quiet: common.quiet, lock: common.lock, logFormat: common.logFormat)
        }
    }
}
