import Foundation
import GraphEmulator
import Testing

@Suite("Graph's rules for a user's methods")
struct MethodRuleTests {
    private func phones(_ path: String) -> String { "/v1.0/users/\(path)/authentication/phoneMethods" }

    @Test("One phone of each type, an alternate only beside a mobile, numbers in Graph's form")
    func phoneAddRules() async throws {
        try await EmulatorClient.with { client in
            let token = try await client.token()
            let alternateFirst = try await client.send(
                .post, phones(Fixture.daveID), token: token,
                body: ["phoneNumber": "+1 4255550101", "phoneType": "alternateMobile"])
            #expect(alternateFirst.status == 400)
            let badNumber = try await client.send(
                .post, phones(Fixture.daveID), token: token, body: ["phoneNumber": "4255550101", "phoneType": "mobile"])
            #expect(badNumber.status == 400)
            let mobile = try await client.send(
                .post, phones(Fixture.daveID), token: token,
                body: ["phoneNumber": "+1 4255550101", "phoneType": "mobile"])
            #expect(mobile.status == 201)
            #expect(mobile.json?["id"] as? String == Fixture.mobile)
            let second = try await client.send(
                .post, phones(Fixture.daveID), token: token,
                body: ["phoneNumber": "+1 4255550102", "phoneType": "mobile"])
            #expect(second.status == 400)
            let alternate = try await client.send(
                .post, phones(Fixture.daveID), token: token,
                body: ["phoneNumber": "+1 4255550102x77", "phoneType": "alternateMobile"])
            #expect(alternate.status == 201)
            #expect(alternate.json?["id"] as? String == Fixture.alternate)
            let mobileFirst = try await client.send(
                .delete, phones(Fixture.daveID) + "/\(Fixture.mobile)", token: token)
            #expect(mobileFirst.status == 400)
        }
    }

    @Test("A phone's number changes by PATCH; its type cannot; an absent phone is 404")
    func phoneUpdateRules() async throws {
        try await EmulatorClient.with { client in
            let token = try await client.token()
            let path = phones(Fixture.bobID) + "/\(Fixture.mobile)"
            let typeChange = try await client.send(
                .patch, path, token: token, body: ["phoneNumber": "+44 7700900999", "phoneType": "office"])
            #expect(typeChange.status == 400)
            let number = try await client.send(
                .patch, path, token: token, body: ["phoneNumber": "+44 7700900999", "phoneType": "mobile"])
            #expect(number.status == 204)
            let absent = try await client.send(
                .patch, phones(Fixture.bobID) + "/\(Fixture.alternate)", token: token,
                body: ["phoneNumber": "+44 7700900999"])
            #expect(absent.status == 404)
            let listed = try await client.send(.get, phones(Fixture.bobID), token: token)
            let value = listed.json?["value"] as? [[String: Any]]
            #expect(value?.first?["phoneNumber"] as? String == "+44 7700900999")
        }
    }

    @Test("The default's method is kept while another could hold the default, and goes with it when none could")
    func defaultProtection() async throws {
        try await EmulatorClient.with { client in
            let token = try await client.token()
            // alice: default sms, her Authenticator could hold push.
            let refused = try await client.send(.delete, phones(Fixture.aliceID) + "/\(Fixture.mobile)", token: token)
            #expect(refused.status == 400)
            #expect(
                refused.errorMessage.contains("cannot be deleted until the default authentication method is changed"))
            // bob: default sms, nothing else could hold a default (email cannot).
            let allowed = try await client.send(.delete, phones(Fixture.bobID) + "/\(Fixture.mobile)", token: token)
            #expect(allowed.status == 204)
            let preferences = try await client.send(
                .get, "/beta/users/\(Fixture.bobID)/authentication/signInPreferences", token: token)
            #expect(preferences.json?["userPreferredMethodForSecondaryAuthentication"] is NSNull)
            // carol: default oath and two tokens: the software one may go, the hardware one still backs the default.
            let software = try await client.send(
                .delete, "/beta/users/\(Fixture.carolID)/authentication/softwareOathMethods/c1b3", token: token)
            #expect(software.status == 204)
            let absent = try await client.send(
                .delete, "/beta/users/\(Fixture.carolID)/authentication/fido2Methods/c1b3", token: token)
            #expect(absent.status == 404)
            // Her last token: nothing left could hold a default (Windows Hello cannot), so it goes and so does oath.
            let hardware = try await client.send(
                .delete, "/beta/users/\(Fixture.carolID)/authentication/hardwareOathMethods/c1c4", token: token)
            #expect(hardware.status == 204)
            let carol = client.emulator.exportLines(tenant: "contoso").first { $0.contains("carol@") } ?? ""
            #expect(carol.contains(#""userPreferredMethodForSecondaryAuthentication":null"#))
            #expect(
                client.emulator.appliedMutations == [
                    "contoso DELETE /users/\(Fixture.bobID)/authentication/phoneMethods/\(Fixture.mobile)",
                    "contoso DELETE /users/\(Fixture.carolID)/authentication/softwareOathMethods/c1b3",
                    "contoso DELETE /users/\(Fixture.carolID)/authentication/hardwareOathMethods/c1c4",
                ])
        }
    }

    @Test("signInPreferences is beta only, and takes only a default the user's methods back")
    func signInPreferences() async throws {
        try await EmulatorClient.with { client in
            let token = try await client.token()
            let path = "/users/\(Fixture.aliceID)/authentication/signInPreferences"
            let v1 = try await client.send(.get, "/v1.0" + path, token: token)
            #expect(v1.status == 400)
            #expect(v1.errorMessage.contains("signInPreferences"))
            for unbacked in ["voiceAlternateMobile", "voiceOffice", "none", "unknownFutureValue"] {
                let reply = try await client.send(
                    .patch, "/beta" + path, token: token,
                    body: ["userPreferredMethodForSecondaryAuthentication": unbacked])
                #expect(reply.status == 400, "\(unbacked)")
            }
            for unbacked in ["push", "oath", "sms", "voiceMobile"] {
                let reply = try await client.send(
                    .patch, "/beta/users/\(Fixture.daveID)/authentication/signInPreferences", token: token,
                    body: ["userPreferredMethodForSecondaryAuthentication": unbacked])
                #expect(reply.status == 400, "dave: \(unbacked)")
            }
            let push = try await client.send(
                .patch, "/beta" + path, token: token, body: ["userPreferredMethodForSecondaryAuthentication": "push"])
            #expect(push.status == 204)
            let read = try await client.send(.get, "/beta" + path, token: token)
            #expect(read.json?["userPreferredMethodForSecondaryAuthentication"] as? String == "push")
            #expect(read.json?["@odata.context"] is String)
            #expect(client.emulator.appliedMutations == ["contoso PATCH \(path)"])
        }
    }

    @Test("v1.0's methods list leaves hardware tokens out; beta lists them without device; their own list has it")
    func hardwareTokens() async throws {
        try await EmulatorClient.with { client in
            let token = try await client.token()
            let path = "/users/\(Fixture.carolID)/authentication"
            let v1 = try await client.send(.get, "/v1.0\(path)/methods", token: token)
            let v1Types = (v1.json?["value"] as? [[String: Any]])?.compactMap { $0["@odata.type"] as? String }
            #expect(v1Types?.contains("#microsoft.graph.hardwareOathAuthenticationMethod") == false)
            #expect(v1Types?.count == 2)
            let beta = try await client.send(.get, "/beta\(path)/methods", token: token)
            let hardware = (beta.json?["value"] as? [[String: Any]])?.first
            #expect(hardware?["id"] as? String == "c1c4")
            #expect(hardware?["device"] == nil)
            let tokens = try await client.send(.get, "/beta\(path)/hardwareOathMethods", token: token)
            let device = (tokens.json?["value"] as? [[String: Any]])?.first?["device"] as? [String: Any]
            #expect(device?["serialNumber"] as? String == "HW-000123")
            let v1Tokens = try await client.send(.get, "/v1.0\(path)/hardwareOathMethods", token: token)
            #expect(v1Tokens.status == 400)
        }
    }

    @Test("A user is found by object id, by UPN in any case, percent-encoded (#EXT#), or as users('…')")
    func userAddressing() async throws {
        try await EmulatorClient.with { client in
            let token = try await client.token()
            // The guest's #EXT#, percent-encoded.
            let encodedGuest = "eve_fabrikam.com%23EXT%23@contoso.onmicrosoft.com"
            for user in [Fixture.aliceID.uppercased(), "ALICE@contoso.com", encodedGuest, "('alice@contoso.com')"] {
                let path = user.hasPrefix("(") ? "/v1.0/users\(user)" : "/v1.0/users/\(user)"
                let reply = try await client.send(.get, path + "/authentication/methods", token: token)
                #expect(reply.status == 200, "\(user)")
            }
            let missing = try await client.send(
                .get, "/v1.0/users/nobody@contoso.com/authentication/methods", token: token)
            #expect(missing.status == 404)
            #expect(missing.errorCode == "Request_ResourceNotFound")
            let innerError = (missing.json?["error"] as? [String: Any])?["innerError"] as? [String: Any]
            #expect(innerError?["request-id"] is String)
        }
    }
}
