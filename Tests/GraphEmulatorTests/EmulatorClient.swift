import AsyncHTTPClient
import Foundation
import GraphEmulator
import NIOCore
import NIOHTTP1
import Testing

/// A started emulator seeded with `Fixture.tenant`'s users, and the HTTP calls the tests make to it. Every call
/// is bounded by a timeout; the emulator is shut down when the test's body ends.
struct EmulatorClient {
    let emulator: GraphEmulator
    var base: String { emulator.baseURL }

    static func with(
        configuration: GraphEmulator.Configuration = .init(), tenant: EmulatedTenant = Fixture.tenant,
        export: String = Fixture.export, _ body: (EmulatorClient) async throws -> Void
    ) async throws {
        let emulator = GraphEmulator(configuration: configuration)
        emulator.addTenant(tenant)
        try emulator.load(exportLines: Array(export.utf8))
        try await emulator.start()
        do {
            try await body(EmulatorClient(emulator: emulator))
        } catch {
            try await emulator.shutdown()
            throw error
        }
        try await emulator.shutdown()
    }

    /// A response: its status, headers and body read as JSON (nil when empty).
    struct Reply {
        let status: Int
        let headers: [String: String]
        let json: [String: Any]?

        var errorCode: String? { (json?["error"] as? [String: Any])?["code"] as? String }
        var errorMessage: String { (json?["error"] as? [String: Any])?["message"] as? String ?? "" }
    }

    /// The HTTP methods the tests send.
    enum Method: String {
        case get = "GET", post = "POST", patch = "PATCH", delete = "DELETE"
    }

    func send(
        _ method: Method, _ path: String, token: String? = nil, body: Any? = nil, form: [(String, String)]? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = HTTPMethod(rawValue: method.rawValue)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let text = form.map { "\($0)=\(Self.formEncoded($1))" }.joined(separator: "&")
            request.body = .bytes(ByteBuffer(string: text))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 24)
        let data = Data(bytes.readableBytesView)
        let json = data.isEmpty ? nil : try JSONSerialization.jsonObject(with: data) as? [String: Any]
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Reply(status: Int(response.status.code), headers: headers, json: json)
    }

    /// The token endpoint's answer to a client-credentials request.
    func tokenReply(
        tenantID: String = Fixture.tenant.tenantID, clientID: String = Fixture.tenant.clientID,
        credential: [(String, String)], scope: String = "https://graph.microsoft.com/.default"
    ) async throws -> Reply {
        let form = [("grant_type", "client_credentials"), ("client_id", clientID), ("scope", scope)] + credential
        return try await send(.post, "/\(tenantID)/oauth2/v2.0/token", form: form)
    }

    /// A token by the fixture tenant's secret.
    func token() async throws -> String {
        let reply = try await tokenReply(credential: [("client_secret", Fixture.secret)])
        return try #require(reply.json?["access_token"] as? String)
    }

    /// A batch's responses by request id.
    func batch(_ requests: [[String: Any]], version: String = "beta", token: String) async throws -> [String: Reply] {
        let reply = try await send(.post, "/\(version)/$batch", token: token, body: ["requests": requests])
        #expect(reply.status == 200)
        var replies: [String: Reply] = [:]
        for item in reply.json?["responses"] as? [[String: Any]] ?? [] {
            let id = try #require(item["id"] as? String)
            replies[id] = Reply(
                status: item["status"] as? Int ?? 0, headers: item["headers"] as? [String: String] ?? [:],
                json: item["body"] as? [String: Any])
        }
        return replies
    }

    private static func formEncoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

/// One tenant's users, covering the rules the tests exercise.
enum Fixture {
    static let secret = "s3cret~value"
    static let tenant = EmulatedTenant(
        name: "contoso", tenantID: "contoso.onmicrosoft.com", clientID: "00000000-0000-0000-0000-0000000000c1",
        clientSecret: secret)

    static let aliceID = "6e7b768e-07e2-4810-8459-485f84f8f204"
    static let bobID = "0b0b0b0b-07e2-4810-8459-485f84f8f204"
    static let carolID = "0c0c0c0c-07e2-4810-8459-485f84f8f204"
    static let daveID = "0d0d0d0d-07e2-4810-8459-485f84f8f204"

    static let mobile = "3179e48a-750b-4051-897c-87b9720928f7"
    static let alternate = "b6332ec1-7057-4abe-9331-3d72feddfe41"

    /// alice: sms default, mobile and Authenticator; bob: sms default, mobile and email only; carol: oath default,
    /// a hardware and a software token; dave: nothing; a guest: an office phone.
    static let lines = [
        ##"{"tenant":"contoso","id":"6e7b768e-07e2-4810-8459-485f84f8f204","userPrincipalName":"alice@contoso.com","isAdmin":true,"signInPreferences":{"isSystemPreferredAuthenticationMethodEnabled":false,"userPreferredMethodForSecondaryAuthentication":"sms"},"methods":[{"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":"3179e48a-750b-4051-897c-87b9720928f7","phoneNumber":"+1 4255550100","phoneType":"mobile","smsSignInState":"notEnabled"},{"@odata.type":"#microsoft.graph.microsoftAuthenticatorAuthenticationMethod","id":"a1f0","displayName":"Alice's iPhone","deviceTag":"SoftwareTokenActivated","phoneAppVersion":"6.2401.0119","createdDateTime":"2024-03-02T10:11:12Z"},{"@odata.type":"#microsoft.graph.passwordAuthenticationMethod","id":"28c10230-6103-485e-b985-444c60001490","password":null,"createdDateTime":"2023-01-05T09:12:44Z"}]}"##,
        ##"{"tenant":"contoso","id":"0b0b0b0b-07e2-4810-8459-485f84f8f204","userPrincipalName":"bob@contoso.com","isAdmin":false,"signInPreferences":{"isSystemPreferredAuthenticationMethodEnabled":false,"userPreferredMethodForSecondaryAuthentication":"sms","systemPreferredAuthenticationMethod":null},"methods":[{"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":"3179e48a-750b-4051-897c-87b9720928f7","phoneNumber":"+44 7700900123","phoneType":"mobile","smsSignInState":"notEnabled"},{"@odata.type":"#microsoft.graph.emailAuthenticationMethod","id":"3ddfcfc8-9383-446f-83cc-3ab9be4be18f","emailAddress":"bob@outlook.com"}]}"##,
        ##"{"tenant":"contoso","id":"0c0c0c0c-07e2-4810-8459-485f84f8f204","userPrincipalName":"carol@contoso.com","isAdmin":false,"signInPreferences":{"isSystemPreferredAuthenticationMethodEnabled":false,"userPreferredMethodForSecondaryAuthentication":"oath"},"methods":[{"@odata.type":"#microsoft.graph.hardwareOathAuthenticationMethod","id":"c1c4","device":{"serialNumber":"HW-000123","manufacturer":"Yubico","model":null},"displayName":null},{"@odata.type":"#microsoft.graph.softwareOathAuthenticationMethod","id":"c1b3","secretKey":null},{"@odata.type":"#microsoft.graph.windowsHelloForBusinessAuthenticationMethod","id":"w1","displayName":"Carol's \u00e9 PC","keyStrength":"normal"}]}"##,
        ##"{"tenant":"contoso","id":"0d0d0d0d-07e2-4810-8459-485f84f8f204","userPrincipalName":"dave@contoso.com","isAdmin":false,"signInPreferences":{"isSystemPreferredAuthenticationMethodEnabled":false,"userPreferredMethodForSecondaryAuthentication":null},"methods":[]}"##,
        ##"{"tenant":"contoso","id":"0e0e0e0e-07e2-4810-8459-485f84f8f204","userPrincipalName":"eve_fabrikam.com#EXT#@contoso.onmicrosoft.com","isAdmin":false,"signInPreferences":{"isSystemPreferredAuthenticationMethodEnabled":false,"userPreferredMethodForSecondaryAuthentication":"voiceOffice"},"methods":[{"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":"e37fc753-ff3b-4958-9484-eaa9425c82bc","phoneNumber":"+1 4255550199x123","phoneType":"office","smsSignInState":"notSupported"}]}"##,
    ]

    static var export: String { lines.joined(separator: "\n") + "\n" }

    /// `count` users with nothing but a name, for paging.
    static func manyUsers(_ count: Int) -> String {
        (0..<count).map { index in
            #"{"tenant":"contoso","userPrincipalName":"user\#(index)@contoso.com","methods":[]}"#
        }.joined(separator: "\n")
    }

    static func fixturePath(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("GraphTests/Fixtures/\(name)").path
    }
}
