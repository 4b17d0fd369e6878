import Foundation
import SecurityInfoFormats

/// The folders a run creates for its outputs, each missing one from the outermost in, so that a run that fails
/// removes them again and leaves nothing behind (SPEC.md: exit 2 is "nothing written"). The temporary files need
/// their folder, for a rename into place is only atomic within one.
public final class CreatedFolders {
    public init() {}
    private var created: [String] = []

    /// Creates `path` and any folders above it that are missing.
    public func make(_ path: String) throws(BatchError) {
        var missing: [String] = []
        var folder = (path as NSString).standardizingPath
        while !folder.isEmpty && folder != "/" && !FileManager.default.fileExists(atPath: folder) {
            missing.append(folder)
            folder = (folder as NSString).deletingLastPathComponent
        }
        for folder in missing.reversed() {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false) } catch {
                throw .output(
                    OutputError(path: folder, "cannot create the folder: \(error.localizedDescription)"))
            }
            created.append(folder)
        }
        if missing.isEmpty { try InputDiscovery.makeFolder(path) }
    }

    /// Removes the folders made, innermost first, where they are empty (a failed run's are: its temporary files
    /// are gone). One that holds anything stays.
    public func removeEmpty() {
        for folder in created.reversed() { rmdir(folder) }
        created = []
    }
}
