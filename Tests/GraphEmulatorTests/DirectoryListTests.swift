import GraphEmulator
import Testing

@Suite("Users, the registration report and directory roles")
struct DirectoryListTests {
    @Test("Following @odata.nextLink returns every user once, and the last page has no link")
    func pagingReturnsEveryUserOnce() async throws {
        var configuration = GraphEmulator.Configuration()
        configuration.pageSize = 10
        try await EmulatorClient.with(configuration: configuration, export: Fixture.manyUsers(25)) { client in
            let token = try await client.token()
            var next: String? = client.base + "/v1.0/users?$select=id,userPrincipalName"
            var names: [String] = []
            var pages = 0
            while let link = next, pages < 10 {
                let reply = try await client.send(.get, String(link.dropFirst(client.base.count)), token: token)
                #expect(reply.status == 200)
                let users = reply.json?["value"] as? [[String: Any]] ?? []
                names += users.compactMap { $0["userPrincipalName"] as? String }
                #expect(users.allSatisfy { $0["id"] is String && $0.count == 2 })
                next = reply.json?["@odata.nextLink"] as? String
                pages += 1
            }
            #expect(pages == 3)
            #expect(names.count == 25)
            #expect(Set(names) == Set((0..<25).map { "user\($0)@contoso.com" }))
        }
    }

    @Test("$top sets the page size")
    func topSetsPageSize() async throws {
        try await EmulatorClient.with(export: Fixture.manyUsers(12)) { client in
            let token = try await client.token()
            let reply = try await client.send(.get, "/v1.0/users?$select=id,userPrincipalName&$top=5", token: token)
            #expect((reply.json?["value"] as? [Any])?.count == 5)
            let next = try #require(reply.json?["@odata.nextLink"] as? String)
            #expect(next.contains("$top=5"))
        }
    }

    @Test("The registration report says who is an admin; a tenant without P1 is refused 403")
    func registrationReport() async throws {
        try await EmulatorClient.with { client in
            let token = try await client.token()
            let reply = try await client.send(
                .get, "/v1.0/reports/authenticationMethods/userRegistrationDetails", token: token)
            let items = reply.json?["value"] as? [[String: Any]] ?? []
            let admins = items.filter { $0["isAdmin"] as? Bool == true }.compactMap { $0["id"] as? String }
            #expect(admins == [Fixture.aliceID])
            #expect(items.first?["isMfaRegistered"] as? Bool == true)
        }
        var basic = Fixture.tenant
        basic.hasPremiumReports = false
        try await EmulatorClient.with(tenant: basic) { client in
            let token = try await client.token()
            let reply = try await client.send(
                .get, "/v1.0/reports/authenticationMethods/userRegistrationDetails", token: token)
            #expect(reply.status == 403)
            #expect(reply.errorCode == "Authentication_RequestFromNonPremiumTenantOrB2CTenant")
            let roles = try await client.send(.get, "/v1.0/directoryRoles?$expand=members", token: token)
            let members = (roles.json?["value"] as? [[String: Any]])?.first?["members"] as? [[String: Any]]
            #expect(members?.compactMap { $0["id"] as? String } == [Fixture.aliceID])
        }
    }
}
