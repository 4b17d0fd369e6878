/// An alternate email address as R-EMAIL-FORMAT accepts it: `local@domain.tld`, at most 254 characters.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    public let local: String
    /// The domain, lower-cased.
    public let domain: String

    /// Why a text is not an email address.
    public enum ParseError: Error, Sendable, Equatable {
        case tooLong(Int)
        case whitespace
        case notOneAt
        case emptyLocalPart
        case badDomain
    }

    public init(parsing text: some StringProtocol) throws(ParseError) {
        self = try parseTrimmed(
            text, printableASCII: Self.init(printableASCII:), characters: Self.init(parsingCharacters:))
    }

    /// The same, from UTF-8 (an export cell's bytes).
    public init(parsingUTF8 bytes: UnsafeBufferPointer<UInt8>) throws(ParseError) {
        self = try parseTrimmed(
            utf8: bytes, printableASCII: Self.init(printableASCII:), characters: Self.init(parsingCharacters:))
    }

    /// The checks over Characters: for any text, and the reference the byte path is tested against.
    init(parsingCharacters text: some StringProtocol) throws(ParseError) {
        let text = text.trimmingWhitespace
        guard text.count <= 254 else { throw .tooLong(text.count) }
        guard !text.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true })
        else { throw .whitespace }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .notOneAt }
        guard !parts[0].isEmpty else { throw .emptyLocalPart }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }),
            let topLevel = labels.last, topLevel.count >= 2, !topLevel.allSatisfy(\.isASCIIDigit)
        else { throw .badDomain }
        local = String(parts[0])
        domain = parts[1].lowercased()
    }

    /// The same checks as `init(parsingCharacters:)` over printable ASCII bytes.
    private init(printableASCII bytes: UnsafeBufferPointer<UInt8>) throws(ParseError) {
        let domain = try Self.domain(inPrintableASCII: bytes)
        local = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<(domain.lowerBound - 1)]), as: UTF8.self)
        self.domain = String(decoding: bytes[domain].map(\.asciiLowercased), as: UTF8.self)
    }

    /// Checks UTF-8 as `init(parsingUTF8:)` does and hands `body` the address's domain as UTF-8: for printable
    /// ASCII (nearly every address) the cell's own bytes, in the case they were written, with nothing made; the
    /// audit checks every address of every export.
    static func withDomain<Result>(
        parsingUTF8 bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) throws(ParseError) -> Result {
        try parseTrimmed(
            utf8: bytes,
            printableASCII: { (bytes) throws(ParseError) in
                body(UnsafeBufferPointer(rebasing: bytes[try domain(inPrintableASCII: bytes)]))
            },
            characters: { (text) throws(ParseError) in
                var domain = try EmailAddress(parsingCharacters: text).domain
                return domain.withUTF8(body)
            })
    }

    /// Where the domain is in printable ASCII bytes that pass the checks of `init(parsingCharacters:)`, in its
    /// order of errors; the local part ends at the `@` before it.
    private static func domain(inPrintableASCII bytes: UnsafeBufferPointer<UInt8>) throws(ParseError) -> Range<Int> {
        guard bytes.count <= 254 else { throw .tooLong(bytes.count) }
        var (at, atCount, hasSpace) = (0, 0, false)
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "@") { (at, atCount) = (index, atCount + 1) }
            hasSpace = hasSpace || byte == UInt8(ascii: " ")
        }
        guard !hasSpace else { throw .whitespace }
        guard atCount == 1 else { throw .notOneAt }
        guard at > 0 else { throw .emptyLocalPart }
        // Its labels, split at each dot: none empty or starting or ending with a hyphen, at least two, and the last
        // of two or more characters, not all digits.
        let (hyphen, domain) = (UInt8(ascii: "-"), at + 1..<bytes.count)
        var (labelStart, labels, lastLabel) = (domain.lowerBound, 0, domain.lowerBound..<domain.lowerBound)
        for index in domain.lowerBound...domain.upperBound
        where index == domain.upperBound || bytes[index] == UInt8(ascii: ".") {
            lastLabel = labelStart..<index
            guard !lastLabel.isEmpty, bytes[lastLabel.lowerBound] != hyphen, bytes[index - 1] != hyphen else {
                throw .badDomain
            }
            (labels, labelStart) = (labels + 1, index + 1)
        }
        guard labels >= 2, lastLabel.count >= 2, !bytes[lastLabel].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .badDomain
        }
        return domain
    }

    public var description: String { "\(local)@\(domain)" }
}

extension EmailAddress.ParseError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .tooLong(let count): "the address has \(count) characters, more than 254"
        case .whitespace: "an address may not contain spaces"
        case .notOneAt: "an address has exactly one @"
        case .emptyLocalPart: "nothing before the @"
        case .badDomain: "the domain must be like example.com"
        }
    }
}
