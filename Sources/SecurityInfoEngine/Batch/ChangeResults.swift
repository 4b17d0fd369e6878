import SecurityInfo
import SecurityInfoFormats

/// The decision on each row of a change file, kept encoded in one byte buffer until the reports are written.
///
/// A `ChangeResult` as a value costs about 300 bytes a change in separate allocations (its message, its state facts,
/// their strings); encoded, it is about its text. The change file is what grows a run's memory with its size, so its
/// results are held the small way. Decoding happens when the reports are written, once or twice a change.
struct ChangeResults: RandomAccessCollection, Sendable {
    private var bytes: [UInt8] = []
    /// Where each row's result begins in `bytes`; `-1` while the row is undecided.
    private var starts: [Int]
    /// The messages, each kept once: a run's tens of thousands of decisions say a few dozen different things.
    private var messages: [String] = []
    private var messageNumbers: [String: Int] = [:]

    init(count: Int) { starts = Array(repeating: -1, count: count) }

    /// Whether a row is decided, told without decoding its result.
    func isDecided(_ row: Int) -> Bool { starts[row] >= 0 }

    var startIndex: Int { 0 }
    var endIndex: Int { starts.count }

    /// The decision on a row, `nil` while undecided. Deciding a row again (held, say) leaves its old bytes behind:
    /// at most one more encoding a row.
    subscript(row: Int) -> ChangeResult? {
        get {
            guard starts[row] >= 0 else { return nil }
            var reader = Reader(bytes: bytes, position: starts[row], messages: messages)
            return reader.result()
        }
        set {
            guard let newValue else {
                starts[row] = -1
                return
            }
            starts[row] = bytes.count
            encode(newValue)
        }
    }

    // MARK: Encoding

    private mutating func encode(_ result: ChangeResult) {
        bytes.append(UInt8(Outcome.allCases.firstIndex(of: result.outcome)!) | (result.createdUser ? 0x80 : 0))
        // The rule by its place among the rules, one more than it (0: none).
        bytes.append(result.rule.map { UInt8(RuleID.allCases.firstIndex(of: $0)! + 1) } ?? 0)
        let message: Int
        if let known = messageNumbers[result.message] {
            message = known
        } else {
            message = messages.count
            messages.append(result.message)
            messageNumbers[result.message] = message
        }
        LEB128.append(message, to: &bytes)
        Self.encodeRest(of: result, into: &bytes)
    }

    private static func encodeRest(of result: ChangeResult, into bytes: inout [UInt8]) {
        for facts in [result.before, result.after] {
            LEB128.append(facts.count, to: &bytes)
            for fact in facts {
                switch fact {
                case .method(let method):
                    bytes.append(UInt8(method.kind.ordinal))
                    append(method.id, to: &bytes)
                    append(method.value, to: &bytes)
                case .defaultMethod(let method):
                    bytes.append(0xFF)
                    append(method.rawValue, to: &bytes)
                }
            }
        }
        for kinds in [result.added, result.deleted] {
            LEB128.append(kinds.count, to: &bytes)
            for kind in kinds { bytes.append(UInt8(kind.ordinal)) }
        }
    }

    private static func append(_ text: String, to bytes: inout [UInt8]) {
        LEB128.append(text.utf8.count, to: &bytes)
        bytes.append(contentsOf: text.utf8)
    }

    private struct Reader {
        let bytes: [UInt8]
        var position: Int
        let messages: [String]

        mutating func result() -> ChangeResult {
            let first = byte()
            let outcome = Outcome.allCases[Int(first & 0x7F)]
            let rule = Int(byte())
            let message = messages[count()]
            let before = facts(), after = facts()
            let added = kinds(), deleted = kinds()
            return ChangeResult(
                outcome: outcome, rule: rule == 0 ? nil : RuleID.allCases[rule - 1], message: message,
                before: before, after: after, added: added, deleted: deleted, createdUser: first & 0x80 != 0)
        }

        private mutating func byte() -> UInt8 {
            defer { position += 1 }
            return bytes[position]
        }

        private mutating func count() -> Int { bytes.withUnsafeBufferPointer { LEB128.read($0, at: &position) } }

        private mutating func text() -> String {
            let length = count()
            defer { position += length }
            return String(decoding: bytes[position..<position + length], as: UTF8.self)
        }

        private mutating func facts() -> [StateFact] {
            (0..<count()).map { _ in
                let tag = byte()
                if tag == 0xFF { return .defaultMethod(DefaultMethod(rawValue: text())!) }
                let kind = MethodKind.allCases[Int(tag)]
                let id = text()
                return .method(MethodInstance(kind: kind, id: id, value: text()))
            }
        }

        private mutating func kinds() -> [MethodKind] { (0..<count()).map { _ in MethodKind.allCases[Int(byte())] } }
    }
}
