import Testing

@testable import SecurityInfo

/// What a cell in the wrong column shows in a message: masked when it could be a number or an address.
@Suite("ContactMask")
struct ContactMaskTests {
    @Test(
        "echoed: numbers and addresses masked, tokens and typos as they are",
        arguments: [
            ("+1 4255550122", "+1 XXXXXXXX22"), ("+1 (425) 555-0122", "+1 XXXXXXXX22"), ("4255550122", "XXXXXXXX22"),
            ("+44 20 7946 0958x12", "+44 XXXXXXXX58xXX"), ("bob@outlook.com", "b***@outlook.com"), ("@x", "***"),
            ("delte", "delte"), ("sms2", "sms2"), ("2024", "2024"), ("mobilePhone", "mobilePhone"), ("", ""),
        ])
    func echoed(cell: String, shown: String) {
        #expect(ContactMask.echoed(cell) == shown)
    }

    @Test("echoed(tenant:): a tenant id as it is, anything else as echoed")
    func echoedTenant() {
        #expect(ContactMask.echoed(tenant: "contoso-2024") == "contoso-2024")
        #expect(ContactMask.echoed(tenant: "+1 4255550166") == "+1 XXXXXXXX66")
        #expect(ContactMask.echoed(tenant: "x@outlook.com") == "x***@outlook.com")
    }

    @Test("echoed(identity:): a UPN or a migration's change id as it is, a number masked")
    func echoedIdentity() {
        #expect(
            ContactMask.echoed(identity: "alice@new.example/mobilePhone/edit") == "alice@new.example/mobilePhone/edit")
        #expect(ContactMask.echoed(identity: "+1 4255550101") == "+1 XXXXXXXX01")
    }
}
