import Testing

@testable import SecurityInfo

/// Phone numbers and addresses that are printable ASCII are parsed over bytes; every other text over Characters.
/// The two must agree on every text: same value, same error.
@Suite("Byte and Character parsing agree")
struct ByteParsingTests {
    /// Texts near the grammars' edges: built from the characters that matter to them, so most are near misses.
    static func texts(starts: [String], alphabet: [String], count: Int, seed: UInt64) -> [String] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            starts.randomElement(using: &random)!
                + (0..<Int.random(in: 0...14, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
                .joined()
        }
    }

    @Test("PhoneNumber: the byte path gives what the Character path gives")
    func phoneNumbers() {
        let starts = ["+", "+1 ", "+44", "+999", " +1", "1", "", "\t+1 ", "\u{00A0}+44 "]
        let alphabet = [
            "1", "2", "4", "5", "0", "9", "1", "2", "4", "5", "0", "9", " ", ".", "-", "(", ")", "x", "X", "a",
        ]
        let texts = Self.texts(starts: starts, alphabet: alphabet, count: 5_000, seed: 7) + ["+", "+x1", "+1x", "+ 1"]
        var accepted = 0
        for text in texts {
            let bytes = Result { () throws(PhoneNumber.ParseError) in try PhoneNumber(parsing: text) }
            let characters = Result { () throws(PhoneNumber.ParseError) in try PhoneNumber(parsingCharacters: text) }
            var utf8 = text
            let cell = utf8.withUTF8 { utf8 in
                Result { () throws(PhoneNumber.ParseError) in try PhoneNumber(parsingUTF8: utf8) }
            }
            #expect(bytes == characters && cell == characters, "\(text)")
            if case .success = bytes { accepted += 1 }
        }
        #expect(accepted > 100, "the texts reach the accepting paths too")
    }

    @Test("EmailAddress: the byte path gives what the Character path gives")
    func emailAddresses() {
        let starts = ["a@b.", "x@", "@", "é@", " ", "", "\t", "\u{00A0}"]
        let alphabet = ["a", "B", "@", ".", "-", "1", "com", "Example", " ", "@x.io", "é"]
        let texts =
            Self.texts(starts: starts, alphabet: alphabet, count: 5_000, seed: 11) + [
                String(repeating: "a", count: 250) + "@b.io", String(repeating: "a", count: 249) + "@b.io",
            ]
        var accepted = 0
        for text in texts {
            let bytes = Result { () throws(EmailAddress.ParseError) in try EmailAddress(parsing: text) }
            let characters = Result { () throws(EmailAddress.ParseError) in try EmailAddress(parsingCharacters: text) }
            var utf8 = text
            let cell = utf8.withUTF8 { utf8 in
                Result { () throws(EmailAddress.ParseError) in try EmailAddress(parsingUTF8: utf8) }
            }
            // The audit's check, which makes no address: the same error, or the domain in the case it was written.
            let domain = utf8.withUTF8 { utf8 in
                Result { () throws(EmailAddress.ParseError) in
                    try EmailAddress.withDomain(parsingUTF8: utf8) { String(decoding: $0, as: UTF8.self).lowercased() }
                }
            }
            #expect(bytes == characters && cell == characters, "\(text)")
            #expect(domain == characters.map(\.domain), "\(text)")
            if case .success = bytes { accepted += 1 }
        }
        #expect(accepted > 100, "the texts reach the accepting paths too")
    }
}

@Suite("A user's own domain from its name's bytes")
struct UserDomainTests {
    @Test("isWorkDomain over a name's UTF-8 agrees with User.domain, whatever the name's case and characters")
    func ownDomain() {
        var random = SeededGenerator(seed: 5)
        let pieces = ["a", "B", "@", ".", "T", "example", "EXAMPLE", "é", "É", "\u{0301}", " ", "-"]
        var policy = TenantPolicy()
        policy.domains = ["contoso.example"]
        let domains = ["t.example", "sub.t.example", "xt.example", "contoso.example", "é.example", "example", ""]
        var workDomains = 0
        for _ in 0..<3_000 {
            let name = (0..<Int.random(in: 0...8, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                .joined()
            for domain in domains {
                var (bytes, domainBytes) = (name, domain)
                let fromBytes = bytes.withUTF8 { name in
                    domainBytes.withUTF8 { policy.isWorkDomain(utf8: $0, userName: name) }
                }
                let fromText = policy.isWorkDomain(domain, userDomain: User(name: name).domain)
                #expect(fromBytes == fromText, "\(name) \(domain)")
                if fromText && domain != "contoso.example" { workDomains += 1 }
            }
        }
        #expect(workDomains > 20, "names whose own domain is a work domain are met")
    }
}

@Suite("Method kinds")
struct MethodKindOrderTests {
    @Test("a kind's ordinal is its place in allCases, the order kinds sort and are reported in")
    func ordinals() {
        for (index, kind) in MethodKind.allCases.enumerated() { #expect(kind.ordinal == index, "\(kind)") }
        #expect(MethodKind.allCases.sorted() == MethodKind.allCases)
    }
}

@Suite("Fast paths agree with the Unicode definitions")
struct FastPathTests {
    static let pieces = ["a", "Z", "é", "É", " ", "\t", "\u{00A0}", "\u{2028}", "\u{0301}", "x", "@", ".", "\u{1F600}"]

    static func texts(seed: UInt64) -> [String] {
        var random = SeededGenerator(seed: seed)
        return (0..<3_000).map { _ in
            (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
        }
    }

    @Test("trimmingWhitespace: what Character.isWhitespace trims from both ends")
    func trimming() {
        for text in Self.texts(seed: 3) {
            let start = text.firstIndex { !$0.isWhitespace } ?? text.endIndex
            let end = text.lastIndex { !$0.isWhitespace }.map { text.index(after: $0) } ?? start
            #expect(text.trimmingWhitespace == text[start..<max(start, end)], "\(text.unicodeScalars.map(\.value))")
        }
    }

    @Test("User.key: the name lower-cased")
    func userKey() {
        for text in Self.texts(seed: 5) + ["alice@contoso.com", "Alice@Contoso.com"] {
            #expect(User(name: text).key == text.lowercased(), "\(text)")
        }
    }
}
