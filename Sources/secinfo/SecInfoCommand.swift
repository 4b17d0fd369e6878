import ArgumentParser
import CLibcExtras
import Foundation
import Logging
import SecurityInfoEngine

/// `secinfo`: the command line. Parses options, builds a configuration, calls the engine, and maps what happens
/// to the exit codes of SPEC.md. No rule lives here.
@main
struct SecInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secinfo",
        abstract: "Bulk changes to users' security info (authentication methods), for many tenants at once.",
        discussion: "Exit codes: "
            + ExitStatus.allCases.map { "\($0.rawValue) \($0.meaning)" }.joined(separator: "; ") + ".",
        version: SecInfoVersion.tool,
        subcommands: [
            Plan.self, Apply.self, Validate.self, Migrate.self, Convert.self, Generate.self, Pull.self, Push.self,
        ]
    )

    /// Parses and runs, mapping every failure to an exit code: usage errors exit 2, as SPEC.md says, where the
    /// argument parser alone would exit 64.
    static func main() {
        // glibc raises its mmap threshold to the size of each large block freed, and then keeps blocks of up to that
        // size in the arena of whichever thread freed them: with workers, the collector and the compressing threads
        // all passing 256–512 KiB buffers, that cached memory grew with the length of the run (4M users peaked 16 %
        // above 1M). A fixed threshold gives blocks of 512 KiB and more back to the system when freed.
        // Fixing it fixes the trim threshold too, at 128 KiB: the heap's top was given back and faulted in again
        // chunk after chunk (a tenth of an XML run's system time). 4 MiB kept: -0.1 CPU-s, +0–3 MB peak at 1M users.
        #if os(Linux)
            mallopt(M_MMAP_THRESHOLD, 512 * 1024)
            mallopt(M_TRIM_THRESHOLD, 4 << 20)
        #endif
        let code: Int32
        do {
            var command = try parseAsRoot()
            try command.run()
            code = 0
        } catch let exit as ExitCode {
            code = exit.rawValue
        } catch {
            let parserCode = exitCode(for: error)
            if parserCode == .success {
                print(fullMessage(for: error))
                code = 0
            } else {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                code = ExitStatus.usageOrInputError.rawValue
            }
        }
        Foundation.exit(code)
    }
}
