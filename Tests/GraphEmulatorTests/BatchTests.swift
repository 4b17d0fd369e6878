import GraphEmulator
import Testing

@Suite("JSON batching")
struct BatchTests {
    @Test("A batch of 21 requests is refused 400 and counted")
    func oversizeBatchIsRefused() async throws {
        try await EmulatorClient.with { client in
            let token = try await client.token()
            let requests: [[String: Any]] = (0..<21).map {
                ["id": "r\($0)", "method": "GET", "url": "/users/\(Fixture.aliceID)/authentication/methods"]
            }
            let reply = try await client.send(.post, "/beta/$batch", token: token, body: ["requests": requests])
            #expect(reply.status == 400)
            #expect(client.emulator.statistics.rejectedOversizeBatches == 1)
            let twenty = try await client.batch(Array(requests.prefix(20)), token: token)
            #expect(twenty.count == 20)
            #expect(twenty.values.allSatisfy { $0.status == 200 })
        }
    }

    @Test("Repeated ids and a write without Content-Type refuse the whole batch")
    func malformedBatchesAreRefused() async throws {
        try await EmulatorClient.with { client in
            let token = try await client.token()
            let repeated: [[String: Any]] = [
                ["id": "a", "method": "GET", "url": "/users/\(Fixture.aliceID)/authentication/methods"],
                ["id": "A", "method": "GET", "url": "/users/\(Fixture.bobID)/authentication/methods"],
            ]
            let noHeader: [[String: Any]] = [
                [
                    "id": "a", "method": "POST", "url": "/users/\(Fixture.daveID)/authentication/emailMethods",
                    "body": ["emailAddress": "dave@outlook.com"],
                ]
            ]
            for requests in [repeated, noHeader] {
                let reply = try await client.send(.post, "/v1.0/$batch", token: token, body: ["requests": requests])
                #expect(reply.status == 400)
            }
            #expect(client.emulator.appliedMutations.isEmpty)
        }
    }

    @Test("A request whose dependency failed is answered 424 and not run")
    func failedDependencyIsNotRun() async throws {
        try await EmulatorClient.with { client in
            let token = try await client.token()
            let replies = try await client.batch(
                [
                    [
                        "id": "1", "method": "DELETE",
                        "url": "/users/nobody@contoso.com/authentication/phoneMethods/\(Fixture.mobile)",
                    ],
                    [
                        "id": "2", "method": "DELETE", "url": "/users/\(Fixture.daveID)/authentication/emailMethods/x",
                        "dependsOn": ["1"],
                    ],
                    [
                        "id": "3", "method": "POST", "url": "/users/\(Fixture.daveID)/authentication/emailMethods",
                        "headers": ["Content-Type": "application/json"], "body": ["emailAddress": "dave@outlook.com"],
                        "dependsOn": ["2"],
                    ],
                ], version: "v1.0", token: token)
            #expect(replies["1"]?.status == 404)
            #expect(replies["1"]?.errorCode == "Request_ResourceNotFound")
            #expect(replies["2"]?.status == 424)
            #expect(replies["2"]?.errorCode == "FailedDependency")
            #expect(replies["3"]?.status == 424)
            #expect(client.emulator.appliedMutations.isEmpty)
        }
    }

    @Test("Requests run in order: a POST then a GET that depends on it sees the new method")
    func requestsRunInOrder() async throws {
        try await EmulatorClient.with { client in
            let token = try await client.token()
            let replies = try await client.batch(
                [
                    [
                        "id": "add", "method": "POST", "url": "/users/dave@CONTOSO.com/authentication/phoneMethods",
                        "headers": ["Content-Type": "application/json"],
                        "body": ["phoneNumber": "+1 4255550111", "phoneType": "mobile"],
                    ],
                    [
                        "id": "list", "method": "GET", "url": "/users/\(Fixture.daveID)/authentication/methods",
                        "dependsOn": ["add"],
                    ],
                ], token: token)
            #expect(replies["add"]?.status == 201)
            #expect(replies["add"]?.json?["id"] as? String == Fixture.mobile)
            let methods = replies["list"]?.json?["value"] as? [[String: Any]]
            #expect(methods?.first?["phoneNumber"] as? String == "+1 4255550111")
            #expect(
                client.emulator.appliedMutations == [
                    "contoso POST /users/\(Fixture.daveID)/authentication/phoneMethods"
                ])
        }
    }
}
