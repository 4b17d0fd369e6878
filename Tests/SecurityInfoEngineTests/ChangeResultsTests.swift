import SecurityInfo
import Testing

@testable import SecurityInfoEngine

@Suite("Change results, held encoded")
struct ChangeResultsTests {
    static let samples: [ChangeResult] = [
        ChangeResult(outcome: .applied),
        ChangeResult(
            outcome: .applied, message: "added mobilePhone",
            after: [.method(MethodInstance(kind: .mobilePhone, value: "+1 4255550100")), .defaultMethod(.sms)],
            added: [.mobilePhone], createdUser: true),
        ChangeResult(
            outcome: .rejected, rule: .emailOne, message: "the user already has another email: use edit"),
        ChangeResult(
            outcome: .applied, rule: .defaultDelete, message: String(repeating: "é long message ", count: 40),
            before: [
                .method(MethodInstance(kind: .microsoftAuthenticator, id: "Phone of Zoë", value: "")),
                .method(MethodInstance(kind: .fido2, id: String(repeating: "k", count: 300), value: "YubiKey 5")),
                .defaultMethod(.push),
            ],
            after: [.defaultMethod(.none)], deleted: [.microsoftAuthenticator, .fido2, .fido2]),
        ChangeResult(outcome: .unchanged, message: "already so"),
        ChangeResult(outcome: .rejected, rule: .thresholdDeletes, message: "").held(because: "12 deletes over 10"),
    ]

    @Test("every result reads back as it was decided, and undecided rows as nil")
    func roundTrip() {
        var results = ChangeResults(count: Self.samples.count * 2)
        for (index, sample) in Self.samples.enumerated() { results[index * 2] = sample }
        for (index, sample) in Self.samples.enumerated() {
            #expect(results[index * 2] == sample)
            #expect(results[index * 2 + 1] == nil)
        }
        #expect(results.count == Self.samples.count * 2)
    }

    @Test("a row decided again reads as its last decision; the others are untouched")
    func decidedAgain() {
        var results = ChangeResults(count: 3)
        for index in 0..<3 { results[index] = Self.samples[index + 1] }
        results[1] = results[1]!.held(because: "the tenant is held")
        #expect(results[1]?.outcome == .held)
        #expect(results[1] == Self.samples[2].held(because: "the tenant is held"))
        #expect(results[0] == Self.samples[1])
        #expect(results[2] == Self.samples[3])
        results[2] = nil
        #expect(results[2] == nil)
    }
}
