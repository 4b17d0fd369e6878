import GraphEmulator
import Testing

@Suite("Seeding from an export and writing the directory back")
struct ExportTests {
    @Test("Lines in the six fields' order come back byte for byte, sorted by userPrincipalName")
    func exportRoundTrips() async throws {
        let emulator = GraphEmulator()
        // Seeded in reverse: the export is ordered by userPrincipalName, which is the fixture's order.
        try emulator.load(exportLines: Array(Fixture.lines.reversed().joined(separator: "\r\n").utf8))
        #expect(emulator.tenantNames == ["contoso"])
        #expect(emulator.exportLines(tenant: "contoso") == Fixture.lines)
        #expect(emulator.exportLines(tenant: "fabrikam").isEmpty)
    }

    @Test("A line without tenant, broken JSON, or a user seeded twice is refused with its line number")
    func badLinesAreRefused() {
        let emulator = GraphEmulator()
        for (text, line) in [
            (#"{"userPrincipalName":"a@contoso.com"}"#, 1), ("\n{\"tenant\":\"contoso\",", 2),
            (Fixture.lines[0] + "\n" + Fixture.lines[0], 2),
        ] {
            #expect {
                try emulator.load(exportLines: Array(text.utf8))
            } throws: { error in
                (error as? ExportLineError)?.line == line
            }
        }
        #expect(emulator.tenantNames.isEmpty)
    }

    @Test("Changes through Graph show in the export: added methods in Graph's form, the default moved")
    func changesShowInExport() async throws {
        try await EmulatorClient.with { client in
            let token = try await client.token()
            let path = "/v1.0/users/dave@contoso.com/authentication"
            _ = try await client.send(
                .post, "\(path)/phoneMethods", token: token,
                body: ["phoneNumber": "+1 4255550123", "phoneType": "mobile"])
            _ = try await client.send(.post, "\(path)/emailMethods", token: token, body: ["emailAddress": "d@x.org"])
            _ = try await client.send(
                .patch, "/beta/users/dave@contoso.com/authentication/signInPreferences", token: token,
                body: ["userPreferredMethodForSecondaryAuthentication": "sms"])
            let dave = client.emulator.exportLines(tenant: "contoso").first { $0.contains("dave@") }
            #expect(
                dave
                    == ##"{"tenant":"contoso","id":"0d0d0d0d-07e2-4810-8459-485f84f8f204","userPrincipalName":"dave@contoso.com","isAdmin":false,"signInPreferences":{"isSystemPreferredAuthenticationMethodEnabled":false,"userPreferredMethodForSecondaryAuthentication":"sms"},"methods":[{"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":"3179e48a-750b-4051-897c-87b9720928f7","phoneNumber":"+1 4255550123","phoneType":"mobile","smsSignInState":"notEnabled"},{"@odata.type":"#microsoft.graph.emailAuthenticationMethod","id":"3ddfcfc8-9383-446f-83cc-3ab9be4be18f","emailAddress":"d@x.org"}]}"##
            )
            #expect(client.emulator.appliedMutations.count == 3)
        }
    }

    @Test("A method the emulator does not understand is returned as it was seeded")
    func unknownMethodsAreKept() async throws {
        try await EmulatorClient.with { client in
            let token = try await client.token()
            let reply = try await client.send(
                .get, "/beta/users/\(Fixture.carolID)/authentication/methods", token: token)
            let hello = (reply.json?["value"] as? [[String: Any]])?.last
            #expect(hello?["displayName"] as? String == "Carol's é PC")
            #expect(hello?["keyStrength"] as? String == "normal")
        }
    }
}
