import Foundation
import Logging
import Synchronization
import Testing

@testable import secinfo

/// `--log-format json`: one JSON object a line, with the event's fields and its metadata.
@Suite("JSON log lines")
struct JSONLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[Data]>([])
        func objects() throws -> [[String: String]] {
            try lines.withLock { $0 }.map { line in
                #expect(line.last == 0x0A, "each object ends its line")
                #expect(line.dropLast().firstIndex(of: 0x0A) == nil, "one line each")
                return try #require(try JSONSerialization.jsonObject(with: line) as? [String: String])
            }
        }
    }

    func logger(into lines: Lines) -> Logger {
        Logger(label: "secinfo") { label in
            var handler = JSONLogHandler(label: label)
            handler.write = { line in lines.lines.withLock { $0.append(line) } }
            handler.logLevel = .info
            return handler
        }
    }

    @Test("each event is one object: timestamp, level, label, message, and the metadata as strings")
    func oneObjectALine() throws {
        let lines = Lines()
        var logger = logger(into: lines)
        logger[metadataKey: "run"] = "nightly"
        logger.warning("tenant held", metadata: ["tenant": "woodgrove", "reason": "4 deletes \"exceed\"\n2"])
        logger.info("inputs read", metadata: ["exports": "3"])
        logger.debug("not logged below the handler's level")
        let objects = try lines.objects()
        #expect(objects.count == 2)
        #expect(objects[0]["level"] == "warning" && objects[0]["label"] == "secinfo")
        #expect(objects[0]["message"] == "tenant held" && objects[0]["tenant"] == "woodgrove")
        #expect(objects[0]["reason"] == "4 deletes \"exceed\"\n2", "escaped, not cut")
        #expect(objects[0]["run"] == "nightly" && objects[1]["exports"] == "3")
        #expect(objects[0]["timestamp"].map { (try? Date($0, strategy: .iso8601)) != nil } == true)
    }

    @Test("metadata cannot replace the line's own fields")
    func ownFieldsWin() throws {
        let lines = Lines()
        let logger = logger(into: lines)
        logger.error("the real message", metadata: ["message": "forged", "level": "info"])
        let object = try #require(try lines.objects().first)
        #expect(object["message"] == "the real message" && object["level"] == "error")
    }
}
