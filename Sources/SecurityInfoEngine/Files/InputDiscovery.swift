import Foundation
import SecurityInfoFormats

/// Turns `--export` paths into the export files of the run: a file as given, a folder as every export inside
/// it (not its subfolders), by name, so a run's order never depends on the file system.
enum InputDiscovery {
    static func exportFiles(in paths: [String]) throws(BatchError) -> [String] {
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw .input(InputError(file: path, "no such file or folder"))
            }
            if isFolder.boolValue {
                let names: [String]
                do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                    throw .input(InputError(file: path, "cannot list the folder: \(error.localizedDescription)"))
                }
                let exports = names.filter { !$0.hasPrefix(".") && FileFormat(fileName: $0) != nil }.sorted()
                if exports.isEmpty {
                    throw .input(
                        InputError(file: path, "the folder holds no export: no file named \(FileFormat.names)"))
                }
                files += exports.map { (path as NSString).appendingPathComponent($0) }
            } else {
                guard FileFormat(fileName: path) != nil else {
                    throw .input(InputError(file: path, "an export is named \(FileFormat.names)"))
                }
                files.append(path)
            }
        }
        var seen = Set<String>()
        for file in files where !seen.insert(URL(fileURLWithPath: file).standardizedFileURL.path).inserted {
            throw .usage("\(file) is given twice")
        }
        return files
    }

    /// The output paths of `apply`: the inputs' names in the output folder, which must not collide.
    static func outputPaths(for inputs: [String], in folder: String) throws(BatchError) -> [String] {
        var byName: [String: String] = [:]
        return try inputs.map { (input) throws(BatchError) -> String in
            let name = (input as NSString).lastPathComponent
            if let other = byName[name] { throw .usage("\(other) and \(input) would both be written as \(name)") }
            byName[name] = input
            return (folder as NSString).appendingPathComponent(name)
        }
    }

    static func isFolder(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// A file's size now, for the progress line's estimate only (the digest counts what is read).
    static func size(of path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    static func makeFolder(_ path: String) throws(BatchError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw .output(OutputError(path: path, "cannot create the folder: \(error.localizedDescription)"))
        }
    }
}
