/// A phone number in the form Graph stores: `+CC SUBSCRIBER` with an optional `xEXT` (RULES.md R-PHONE-FORMAT).
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    public let countryCode: String
    public let subscriber: String
    public let phoneExtension: String?

    /// Why a text is not a phone number; the message says what was expected.
    public enum ParseError: Error, Sendable, Equatable {
        case missingPlus
        case unknownCountryCode(String)
        case invalidCharacter(Character)
        case subscriberLength(Int)
        case tooManyDigits(Int)
    }

    /// Parses and normalises a number: separators after the country code are dropped, and a number written
    /// without a space after the country code (`+14255550100`) is split with the E.164 country-code table.
    public init(parsing text: some StringProtocol) throws(ParseError) {
        self = try parseTrimmed(
            text, printableASCII: Self.init(printableASCII:), characters: Self.init(parsingCharacters:))
    }

    /// The same, from UTF-8 (an export cell's bytes).
    public init(parsingUTF8 bytes: UnsafeBufferPointer<UInt8>) throws(ParseError) {
        self = try parseTrimmed(
            utf8: bytes, printableASCII: Self.init(printableASCII:), characters: Self.init(parsingCharacters:))
    }

    /// The grammar over Characters: for any text, and the reference the byte path is tested against.
    init(parsingCharacters text: some StringProtocol) throws(ParseError) {
        var rest = Substring(text.trimmingWhitespace)
        guard rest.first == "+" else { throw .missingPlus }
        rest = rest.dropFirst()

        // An `x` or `X` and 1–6 digits at the very end is the extension.
        var phoneExtension: String?
        let trailingDigits = rest.reversed().prefix { $0.isASCIIDigit }
        if (1...6).contains(trailingDigits.count), let marker = rest.dropLast(trailingDigits.count).last,
            marker == "x" || marker == "X"
        {
            phoneExtension = String(rest.suffix(trailingDigits.count))
            rest = rest.dropLast(trailingDigits.count + 1)
        }

        let leadingDigits = rest.prefix { $0.isASCIIDigit }
        var countryCode: String
        var subscriberText: Substring
        if rest.dropFirst(leadingDigits.count).first == " " {
            countryCode = String(leadingDigits)
            subscriberText = rest.dropFirst(leadingDigits.count + 1)
        } else {
            countryCode = ""
            subscriberText = rest
        }

        var digits = ""
        for character in subscriberText {
            if character.isASCIIDigit {
                digits.append(character)
            } else if !" .-()".contains(character) {
                throw .invalidCharacter(character)
            }
        }
        try self.init(countryCode: countryCode, digits: digits, phoneExtension: phoneExtension)
    }

    /// The same grammar as `init(parsingCharacters:)` over printable ASCII bytes.
    private init(printableASCII bytes: UnsafeBufferPointer<UInt8>) throws(ParseError) {
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        func text(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }

        guard bytes.first == UInt8(ascii: "+") else { throw .missingPlus }
        var start = 1
        var end = bytes.count
        // An `x` or `X` and 1–6 digits at the very end is the extension.
        var phoneExtension: String?
        var trailingDigits = 0
        while end - trailingDigits > start && isDigit(bytes[end - trailingDigits - 1]) { trailingDigits += 1 }
        let marker = end - trailingDigits - 1
        if (1...6).contains(trailingDigits), marker >= start, bytes[marker] | 0x20 == UInt8(ascii: "x") {
            phoneExtension = text(end - trailingDigits..<end)
            end = marker
        }

        var leadingDigits = 0
        while start + leadingDigits < end && isDigit(bytes[start + leadingDigits]) { leadingDigits += 1 }
        var countryCode = ""
        if start + leadingDigits < end && bytes[start + leadingDigits] == UInt8(ascii: " ") {
            countryCode = text(start..<start + leadingDigits)
            start += leadingDigits + 1
        }

        // The digits, gathered on the stack: no String grows a character at a time.
        let digits = try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: end - start) {
            (buffer) throws(ParseError) -> String in
            var count = 0
            for byte in bytes[start..<end] {
                if isDigit(byte) {
                    buffer[count] = byte
                    count += 1
                } else if byte != 0x20 && byte != 0x2E && byte != 0x2D && byte != 0x28 && byte != 0x29 {
                    // Not a digit nor one of the separators ` .-()`.
                    throw .invalidCharacter(Character(Unicode.Scalar(byte)))
                }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
        try self.init(countryCode: countryCode, digits: digits, phoneExtension: phoneExtension)
    }

    /// The checks on the digits, once the text is split.
    private init(countryCode: String, digits: String, phoneExtension: String?) throws(ParseError) {
        var (countryCode, digits) = (countryCode, digits)
        if countryCode.isEmpty {
            guard let code = CountryCallingCodes.code(prefixing: digits) else {
                throw .unknownCountryCode(String(digits.prefix(3)))
            }
            countryCode = code
            digits.removeFirst(code.count)
        } else if !CountryCallingCodes.isAssigned(countryCode) {
            throw .unknownCountryCode(countryCode)
        }
        // ASCII digits only: a byte count is a character count.
        let (codeDigits, subscriberDigits) = (countryCode.utf8.count, digits.utf8.count)
        guard (4...14).contains(subscriberDigits) else { throw .subscriberLength(subscriberDigits) }
        guard codeDigits + subscriberDigits <= 15 else { throw .tooManyDigits(codeDigits + subscriberDigits) }

        self.countryCode = countryCode
        self.subscriber = digits
        self.phoneExtension = phoneExtension
    }

    /// The normalised text, e.g. `+1 4255550100` or `+1 4255550100x123`.
    public var description: String {
        "+\(countryCode) \(subscriber)" + (phoneExtension.map { "x\($0)" } ?? "")
    }
}

extension PhoneNumber.ParseError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .missingPlus: "a number must start with + and the country code"
        case .unknownCountryCode(let code): "no country calling code starts \(code.isEmpty ? "it" : "+" + code)"
        case .invalidCharacter(let character): "unexpected character '\(character)' in the number"
        case .subscriberLength(let count): "the number after the country code has \(count) digits, not 4 to 14"
        case .tooManyDigits(let count): "the number has \(count) digits, more than 15"
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    @inlinable
    public var trimmingWhitespace: SubSequence {
        // Most fields have no surrounding space: check the end bytes before any Unicode property lookup. A text
        // that starts and ends with a visible ASCII byte starts and ends with a character that is not white space.
        let ends = utf8.withContiguousStorageIfAvailable { ($0.first ?? 0, $0.last ?? 0) }
        if let (first, last) = ends, first > 0x20, first < 0x7F, last > 0x20, last < 0x7F {
            return self[...]
        }
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<Swift.max(start, end)]
    }
}

/// Parses a text, trimmed, over its bytes when they are all printable ASCII (where a byte is a character: the
/// audit parses every phone and address of every export, and Character iteration was a tenth of a run), else over
/// its Characters. The two parsers must agree on every text (`ByteParsingTests`).
func parseTrimmed<Value, Failure: Error>(
    _ text: some StringProtocol, printableASCII: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Value,
    characters: (String) throws(Failure) -> Value
) throws(Failure) -> Value {
    var trimmed = String(text.trimmingWhitespace)
    // `withUTF8` rethrows untyped: the outcome comes out as a Result.
    let fast = trimmed.withUTF8 { (bytes) -> Result<Value, Failure>? in
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        return Result { () throws(Failure) in try printableASCII(bytes) }
    }
    if let fast { return try fast.get() }
    return try characters(trimmed)
}

/// `parseTrimmed` over UTF-8: printable ASCII (nearly every value) is trimmed of its spaces and parsed where it is,
/// with no text made; anything else takes the text path.
func parseTrimmed<Value, Failure: Error>(
    utf8 bytes: UnsafeBufferPointer<UInt8>, printableASCII: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Value,
    characters: (String) throws(Failure) -> Value
) throws(Failure) -> Value {
    guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
        return try parseTrimmed(
            String(decoding: bytes, as: UTF8.self), printableASCII: printableASCII, characters: characters)
    }
    let space = UInt8(ascii: " ")
    let start = bytes.firstIndex { $0 != space } ?? bytes.endIndex
    let end = (bytes.lastIndex { $0 != space } ?? start - 1) + 1
    return try printableASCII(UnsafeBufferPointer(rebasing: bytes[start..<Swift.max(start, end)]))
}
