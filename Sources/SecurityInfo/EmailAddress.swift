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
