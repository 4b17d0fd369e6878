/// Looks at the start of an XML byte stream before libxml2 does and refuses a DOCTYPE (or any other `<!…>`
/// declaration) ahead of the root element, with its line and column. So no DTD, internal subset or entity
/// declaration ever reaches the parser: XXE and entity bombs are stopped before any parsing.
struct XMLPrologGuard {
    private var prolog: [UInt8] = []
    private(set) var isDone = false
    /// The prolog is a declaration, comments and processing instructions: a few hundred bytes in practice.
    static let maximumPrologBytes = 1 << 16

    /// Takes the next bytes of the stream; throws when the prolog holds a declaration.
    mutating func inspect(_ bytes: UnsafeRawBufferPointer, path: String) throws(InputError) {
        guard !isDone else { return }
        prolog.append(contentsOf: bytes)
        if try scan(path: path) { isDone = true; prolog = [] }
        if !isDone && (prolog.count > Self.maximumPrologBytes || bytes.isEmpty) {
            isDone = true
            prolog = []
        }
    }

    /// Whether the prolog is known to be free of declarations (the root element has begun).
    private func scan(path: String) throws(InputError) -> Bool {
        var index = 0
        if prolog.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        while index < prolog.count {
            let byte = prolog[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "<") else { return true }  // not XML: libxml2 will say so
            guard index + 1 < prolog.count else { return false }
            switch prolog[index + 1] {
            case UInt8(ascii: "?"):
                guard let end = find([UInt8(ascii: "?"), UInt8(ascii: ">")], from: index + 2) else { return false }
                index = end + 2
            case UInt8(ascii: "!"):
                if prolog.count >= index + 4 && prolog[index + 2] == 0x2D && prolog[index + 3] == 0x2D {
                    guard let end = find([0x2D, 0x2D, UInt8(ascii: ">")], from: index + 4) else { return false }
                    index = end + 3
                } else {
                    let (line, column) = position(of: index)
                    throw InputError(
                        file: path, line: line, column: column,
                        "a DOCTYPE is not allowed: secinfo's XML formats have none (no DTDs, no entities)")
                }
            default:
                return true
            }
        }
        return false
    }

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        guard prolog.count >= needle.count, start <= prolog.count - needle.count else { return nil }
        return (start...(prolog.count - needle.count)).first { prolog[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    private func position(of index: Int) -> (line: Int, column: Int) {
        let before = prolog[..<index]
        let line = before.count { $0 == 0x0A } + 1
        let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        return (line, index - lineStart + 1)
    }
}
