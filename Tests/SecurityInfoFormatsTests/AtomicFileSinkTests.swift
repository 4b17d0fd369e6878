import Foundation
import SecurityInfo
import Testing

@testable import SecurityInfoFormats

/// A fresh folder under /tmp for one test, removed when the test is done with it.
private final class TemporaryFolder {
    let path: String

    init() throws {
        path = "/tmp/secinfo-formats-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    func bytes(of path: String) -> [UInt8]? { FileManager.default.contents(atPath: path).map { [UInt8]($0) } }
}

@Suite("Atomic file sink")
struct AtomicFileSinkTests {
    @Test("before commit nothing is at the final path; the bytes are under a hidden name in the same folder")
    func writesUnderTemporaryNameUntilCommit() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("contoso.csv")
        let sink = try AtomicFileSink(path: path)
        try sink.write(Array("tenant,user\n".utf8))
        try sink.finish()

        #expect(!folder.exists(path))
        #expect(sink.path == path)
        #expect(sink.temporaryPath.hasPrefix(folder.path + "/" + AtomicFileSink.temporaryPrefix))
        #expect(AtomicFileSink.temporaryPrefix.hasPrefix("."))
        #expect(folder.bytes(of: sink.temporaryPath) == Array("tenant,user\n".utf8))
        #expect(try folder.contents().count == 1)
    }

    @Test("a sink released without commit removes its temporary file and leaves nothing behind")
    func removesTemporaryFileWhenReleasedWithoutCommit() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("contoso.csv")
        var temporaryPath = ""
        do {
            let sink = try AtomicFileSink(path: path)
            temporaryPath = sink.temporaryPath
            try sink.write(Array("half an export".utf8))
            try sink.finish()
            #expect(folder.exists(temporaryPath))
        }
        #expect(!temporaryPath.isEmpty)
        #expect(!folder.exists(temporaryPath))
        #expect(!folder.exists(path))
        #expect(try folder.contents().isEmpty)
    }

    @Test("after finish and commit the file has the content and no temporary file remains")
    func commitsContent() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("contoso.csv")
        let content = Array("tenant,user\ncontoso,alice@contoso.com\n".utf8)
        var temporaryPath = ""
        do {
            let sink = try AtomicFileSink(path: path)
            temporaryPath = sink.temporaryPath
            try sink.write(Array(content[..<5]))
            try sink.write(Array(content[5...]))
            try sink.finish()
            try sink.commit()
        }
        #expect(folder.bytes(of: path) == content)
        #expect(!folder.exists(temporaryPath))
        #expect(try folder.contents() == ["contoso.csv"])
    }

    @Test("an existing file stays as it was until commit replaces it whole")
    func replacesExistingFileOnlyOnCommit() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("fabrikam.csv")
        try Data("old contents\n".utf8).write(to: URL(fileURLWithPath: path))

        let sink = try AtomicFileSink(path: path)
        try sink.write(Array("new contents\n".utf8))
        try sink.finish()
        #expect(folder.bytes(of: path) == Array("old contents\n".utf8))

        try sink.commit()
        #expect(folder.bytes(of: path) == Array("new contents\n".utf8))
        #expect(try folder.contents() == ["fabrikam.csv"])
    }

    @Test("an existing file is untouched when the sink is released without commit")
    func keepsExistingFileWithoutCommit() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("fabrikam.csv")
        try Data("old contents\n".utf8).write(to: URL(fileURLWithPath: path))
        do {
            let sink = try AtomicFileSink(path: path)
            try sink.write(Array("new, never committed\n".utf8))
            try sink.finish()
        }
        #expect(folder.bytes(of: path) == Array("old contents\n".utf8))
        #expect(try folder.contents() == ["fabrikam.csv"])
    }

    @Test("content larger than the sink's buffer is written whole and in order")
    func writesLargeContent() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("big.csv")
        var generator = SeededGenerator(seed: 99)
        let content = (0..<(700 * 1024)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let sink = try AtomicFileSink(path: path)
        var offset = 0
        while offset < content.count {
            let end = min(offset + 10_007, content.count)
            try sink.write(Array(content[offset..<end]))
            offset = end
        }
        try sink.finish()
        try sink.commit()
        #expect(folder.bytes(of: path) == content)
    }

    @Test("a sink in a missing folder cannot be created and says which path")
    func failsInMissingFolder() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("no-such-folder/contoso.csv")
        let error = try #require(throws: OutputError.self) { try AtomicFileSink(path: path) }
        #expect(error.path == path)
        #expect(try folder.contents().isEmpty)
    }
}
