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
