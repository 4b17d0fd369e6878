import Foundation

/// The run's outputs held against its inputs and each other before anything is read or written: an output over
/// an input, or two outputs on one file, would lose data however the run ends (SPEC.md: nothing half-written).
enum OutputClashes {
    struct Place {
        /// How the command line named it (`--output`, `--report`, `--plan-file`, `--export`, …).
        var option: String
        var path: String
    }

    /// - Parameters:
    ///   - inputFolders: folders given to `--export`, which the next run reads every export of.
    ///   - outputFolders: `--output` and `--report`.
    static func check(inputs: [Place], inputFolders: [Place], outputs: [Place], outputFolders: [Place])
        throws(BatchError)
    {
        let inputIdentities = inputs.map { (FileIdentity($0.path), $0) }
        var seen: [FileIdentity: Place] = [:]
        for output in outputs {
            let identity = FileIdentity(output.path)
            if let input = inputIdentities.first(where: { $0.0 == identity })?.1 {
                throw .usage(
                    "\(output.option) would write \(output.path) over the input \(input.path) (\(input.option)): choose another folder"
                )
            }
            if let other = seen[identity] {
                throw .usage(
                    "\(other.option) and \(output.option) would both write \(output.path): choose other folders")
            }
            seen[identity] = output
        }
        for folder in outputFolders {
            let identity = FileIdentity(folder.path)
            if let input = inputFolders.first(where: { FileIdentity($0.path) == identity }) {
                throw .usage(
                    "\(folder.option) \(folder.path) is the folder \(input.option) \(input.path) reads: what is written there would be read as exports"
                )
            }
        }
    }
}
