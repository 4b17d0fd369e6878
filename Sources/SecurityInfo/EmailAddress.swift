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
        guard bytes.count <= 254 else { throw .tooLong(bytes.count) }
        guard !bytes.contains(UInt8(ascii: " ")) else { throw .whitespace }
        let parts = bytes.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .notOneAt }
        guard !parts[0].isEmpty else { throw .emptyLocalPart }
        let labels = parts[1].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let hyphen = UInt8(ascii: "-")
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.first != hyphen && $0.last != hyphen }),
            let topLevel = labels.last, topLevel.count >= 2, !topLevel.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { throw .badDomain }
        local = String(decoding: parts[0], as: UTF8.self)
        domain = String(decoding: parts[1].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
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
