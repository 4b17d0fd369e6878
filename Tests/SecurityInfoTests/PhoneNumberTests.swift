import Foundation
import Testing

@testable import SecurityInfo

/// R-PHONE-FORMAT's grammar and normalisation, on `PhoneNumber` itself.
@Suite("R-PHONE-FORMAT: PhoneNumber")
struct PhoneNumberTests {
    @Test(
        "R-PHONE-FORMAT: accepted numbers and their normal form",
        arguments: [
            ("+14255550100", "+1 4255550100"),
            ("+1 4255550100", "+1 4255550100"),
            ("+1 (425) 555-0100", "+1 4255550100"),
            ("+1 425.555.0100", "+1 4255550100"),
            ("+1 425 555 0100", "+1 4255550100"),
            (" \t+1 4255550100 ", "+1 4255550100"),
            ("+442079460958", "+44 2079460958"),
            ("+44 20 7946 0958", "+44 2079460958"),
            ("+3725551234", "+372 5551234"),
            ("+8613812345678", "+86 13812345678"),
            ("+7 9161234567", "+7 9161234567"),
            ("+1 4255550100x123", "+1 4255550100x123"),
            ("+1 4255550100X123", "+1 4255550100x123"),
            ("+1 (425) 555-0100 x123", "+1 4255550100x123"),
            ("+14255550100x123456", "+1 4255550100x123456"),
            ("+1 4255", "+1 4255"),
            ("+1 42555501234567", "+1 42555501234567"),
        ])
    func accepted(text: String, normalised: String) throws {
        let number = try PhoneNumber(parsing: text)
        #expect(number.description == normalised)
        #expect(try PhoneNumber(parsing: number.description) == number, "the normal form parses to itself")
    }

    @Test("R-PHONE-FORMAT: the parts of a normalised number")
    func parts() throws {
        let number = try PhoneNumber(parsing: "+1 (425) 555-0100 x123")
        #expect(number.countryCode == "1")
        #expect(number.subscriber == "4255550100")
        #expect(number.phoneExtension == "123")
        #expect(try PhoneNumber(parsing: "+442079460958").phoneExtension == nil)
    }

    @Test(
        "R-PHONE-FORMAT: refused numbers",
        arguments: [
            ("4255550100", PhoneNumber.ParseError.missingPlus),
            ("1 4255550100", .missingPlus),
            ("(425) 555-0100", .missingPlus),
            ("", .missingPlus),
            ("+1 XXXXXXXX00", .invalidCharacter("X")),
            ("+1 XXXXXXXXXX", .invalidCharacter("X")),
            ("+1 425555O100", .invalidCharacter("O")),
            ("+1 425-CALL-NOW", .invalidCharacter("C")),
            ("+1 4255550100 ext 12", .invalidCharacter("e")),
            ("+1 4255550100x", .invalidCharacter("x")),
            ("+1 4255550100x1234567", .invalidCharacter("x")),
            ("+1 425", .subscriberLength(3)),
            ("+1 425555010012345", .subscriberLength(15)),
            ("+44 20794609581234", .tooManyDigits(16)),
            ("+999 4255550100", .unknownCountryCode("999")),
            ("+0 4255550100", .unknownCountryCode("0")),
        ])
    func refused(text: String, error: PhoneNumber.ParseError) {
        #expect(throws: error) { try PhoneNumber(parsing: text) }
    }

    @Test(
        "R-PHONE-FORMAT: refused however the error is named",
        arguments: [
            "+2894255550100", "+", "++1 4255550100", "+1 ٤٢٥٥٥٥٠١٠٠", "+1 4255550100#", "+1 4255550100 x 12",
        ])
    func refusedOther(text: String) {
        #expect(throws: PhoneNumber.ParseError.self) { try PhoneNumber(parsing: text) }
    }

    @Test("R-PHONE-FORMAT: the table of assigned codes by value agrees with the list on every text of up to 4 digits")
    func assignedCodesTable() {
        var texts = ["", "+1", "1 ", " 1", "a", "1a", "٣", "01", "001", "0"]
        for length in 1...4 {
            for value in 0..<Int(pow(10, Double(length))) {
                let digits = String(value)
                texts.append(String(repeating: "0", count: length - digits.count) + digits)
            }
        }
        for text in texts {
            #expect(CountryCallingCodes.isAssigned(text) == CountryCallingCodes.assigned.contains(text), "\(text)")
        }
        #expect(CountryCallingCodes.isAssigned("44") && !CountryCallingCodes.isAssigned("999"))
    }

    @Test("R-PHONE-FORMAT: a refusal says what was expected")
    func refusalMessage() {
        #expect(PhoneNumber.ParseError.missingPlus.description.contains("+"))
        #expect(PhoneNumber.ParseError.subscriberLength(3).description.contains("4 to 14"))
        #expect(PhoneNumber.ParseError.tooManyDigits(16).description.contains("15"))
    }

    @Test("RULES.md: phone numbers compare after normalisation")
    func comparesNormalised() throws {
        let spaced = try PhoneNumber(parsing: "+1 (425) 555-0100")
        #expect(try PhoneNumber(parsing: "+14255550100") == spaced)
        #expect(try PhoneNumber(parsing: "+1 4255550100x1") != spaced)
        #expect(try PhoneNumber(parsing: "+1 4255550101") != spaced)
        #expect(RuleEngine.sameValue("+14255550100", "+1 425.555.0100", .mobilePhone))
        #expect(RuleEngine.sameValue("+1 4255550122x45", "+1 4255550122 X45", .officePhone))
        #expect(!RuleEngine.sameValue("+1 4255550100", "+44 4255550100", .mobilePhone))
    }
}

/// R-EMAIL-FORMAT's grammar, on `EmailAddress` itself.
@Suite("R-EMAIL-FORMAT: EmailAddress")
struct EmailAddressTests {
    @Test(
        "R-EMAIL-FORMAT: accepted addresses",
        arguments: [
            ("alice@outlook.com", "alice", "outlook.com"),
            ("Alice@Outlook.COM", "Alice", "outlook.com"),
            ("a.b+tag@mail.example.co.uk", "a.b+tag", "mail.example.co.uk"),
            (" alice@outlook.com ", "alice", "outlook.com"),
        ])
    func accepted(text: String, local: String, domain: String) throws {
        let address = try EmailAddress(parsing: text)
        #expect(address.local == local)
        #expect(address.domain == domain)
    }

    @Test(
        "R-EMAIL-FORMAT: refused addresses",
        arguments: [
            ("alice", EmailAddress.ParseError.notOneAt),
            ("a@b@outlook.com", .notOneAt),
            ("@outlook.com", .emptyLocalPart),
            ("alice@", .badDomain),
            ("alice@outlook", .badDomain),
            ("alice@outlook..com", .badDomain),
            ("alice@outlook.com.", .badDomain),
            ("alice @outlook.com", .whitespace),
            ("alice@out\tlook.com", .whitespace),
            (String(repeating: "a", count: 243) + "@outlook.com", .tooLong(255)),
        ])
    func refused(text: String, error: EmailAddress.ParseError) {
        #expect(throws: error) { try EmailAddress(parsing: text) }
    }

    @Test("R-EMAIL-FORMAT: at most 254 characters")
    func longest() throws {
        let text = String(repeating: "a", count: 242) + "@outlook.com"
        #expect(text.count == 254)
        #expect(try EmailAddress(parsing: text).domain == "outlook.com")
    }
}
