import Foundation

/// What a path names on disk however it is spelled (relative, with `..`, through symlinks, by a hard link): an
/// existing file by its device and inode, any other path by its canonical form (the folders' symlinks resolved,
/// `.` and `..` taken out).
enum FileIdentity: Hashable {
    case file(device: UInt64, inode: UInt64)
    case path(String)

    init(_ path: String) {
        // Canonical first: `missing/../file` names `file`, though the system cannot open it by that name.
        let path = Self.canonical(path)
        var status = stat()
        if stat(path, &status) == 0 {
            self = .file(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        } else {
            self = .path(path)
        }
    }

    /// The absolute path with its longest existing prefix resolved by `realpath`, the rest taken as written.
    static func canonical(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var resolved: [String] = []
        var rest = absolute.split(separator: "/", omittingEmptySubsequences: true).map(String.init)[...]
        // Resolve as far as the path exists: symlinks and `..` there mean what the file system says.
        var existing = "/"
        while let next = rest.first {
            let candidate = (existing == "/" ? "" : existing) + "/" + next
            guard let real = realpath(candidate, nil) else { break }
            existing = String(cString: real)
            free(real)
            rest.removeFirst()
        }
        resolved = existing.split(separator: "/").map(String.init)
        for component in rest {
            switch component {
            case ".": continue
            case "..": if !resolved.isEmpty { resolved.removeLast() }
            default: resolved.append(component)
            }
        }
        return "/" + resolved.joined(separator: "/")
    }
}

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
