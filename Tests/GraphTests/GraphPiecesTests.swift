import Crypto
import Foundation
import SecurityInfo
import SecurityInfoFormats
import Testing
import _CryptoExtras

@testable import SecurityInfoGraph

/// The pieces of the Graph client that need no server: the tenants file, the URLs, retries, the client
/// assertion, the requests file, the ledger, and the check of an interrupted request's effect.
struct GraphPiecesTests {
    @Test func tenantsFileReadsBothCredentialsAndResolvesCertificatePaths() throws {
        let folder = try TemporaryFolder()
        let path = folder.write(
            "tenants.json",
            #"{"tenants": {"contoso": {"tenantId": "contoso.onmicrosoft.com", "clientId": "c1", "clientSecretEnv": "CONTOSO_SECRET"},"#
                + #" "fabrikam": {"tenantId": "b7e2", "clientId": "c2", "certificate": "certs/f.pem"}}}"#)
        let tenants = try TenantsFile.read(path: path)
        #expect(tenants.map(\.name) == ["contoso", "fabrikam"])
        #expect(tenants[0].credential == .secretEnvironment("CONTOSO_SECRET"))
        #expect(tenants[1].credential == .certificate(path: folder.url.path + "/certs/f.pem"))
    }

    @Test(arguments: [
        (#"{"tenants": {"a": {"tenantId": "t", "clientId": "c"}}}"#, "1:19", "exactly one of"),
        (
            #"{"tenants": {"a": {"tenantId": "t", "clientId": "c", "clientSecretEnv": "X", "certificate": "p"}}}"#,
            "1:19", "exactly one of"
        ),
        (#"{"tenants": {"a": {"tenantId": "t", "clientId": "c", "secret": "s3cr3t"}}}"#, "1:54", "unknown field"),
        (#"{"tenants": {"a": {"tenantId": "t/../x", "clientId": "c", "clientSecretEnv": "X"}}}"#, "1:32", "tenantId"),
        (#"{"tenants": {"a": {"tenantId": "t", "clientSecretEnv": "X"}}}"#, "1:19", "clientId"),
        (#"{"tenant": {}}"#, "1:2", "unknown field"),
    ])
    func tenantsFileRefusesWhatIsAmbiguousAtItsPlace(text: String, place: String, message: String) throws {
        let folder = try TemporaryFolder()
        let path = folder.write("tenants.json", text)
        let error = #expect(throws: InputError.self) { try TenantsFile.read(path: path) }
        #expect(error?.description.contains("tenants.json:\(place):") == true, "\(error?.description ?? "")")
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    }

    @Test func endpointsTakeSchemeHostAndPortAndHttpOnlyOnLoopback() throws {
        let local = try GraphEndpoints(graph: "http://127.0.0.1:8080/", authority: "http://localhost:9")
        #expect(local.graph == "http://127.0.0.1:8080")
        #expect(local.scope == "https://127.0.0.1/.default")
        #expect(try GraphEndpoints().scope == "https://graph.microsoft.com/.default")
        #expect(try GraphEndpoints(graph: "https://graph.microsoft.us").scope == "https://graph.microsoft.us/.default")
        for bad in [
            "http://graph.microsoft.com", "https://graph.microsoft.com/v1.0", "ftp://x", "https://h:99999",
            "https://user@h", "graph.microsoft.com",
        ] {
            #expect(throws: GraphEndpointError.self, "\(bad)") { try GraphEndpoints(graph: bad) }
        }
    }

    @Test func retriesHonourRetryAfterElseBackOffWithJitterUpToTheCap() {
        let policy = RetryPolicy()
        #expect(policy.delay(afterAttempt: 1, retryAfter: "7") == .seconds(7))
        #expect(policy.delay(afterAttempt: 3, retryAfter: "0") == .zero)
        for attempt in 1...8 {
            let step = min(Double(1 << (attempt - 1)), 60)
            let delay = policy.delay(afterAttempt: attempt, retryAfter: nil)
            #expect(delay >= .seconds(step / 2) && delay <= .seconds(step), "attempt \(attempt): \(delay)")
        }
        #expect(RetryPolicy.isRetryable(status: 429) && RetryPolicy.isRetryable(status: 503))
        #expect(RetryPolicy.isRetryable(status: 504) && !RetryPolicy.isRetryable(status: 500))
        #expect(!RetryPolicy.isRetryable(status: 424))
    }

    @Test func clientAssertionIsAPS256JWTVerifiableWithTheCertificatesKey() throws {
        let assertion = try ClientAssertion(pemFile: GraphFixtures.certificate)
        let jwt = try assertion.make(clientID: "app-1", audience: "https://login.example/t/oauth2/v2.0/token")
        let parts = jwt.split(separator: ".").map(String.init)
        #expect(parts.count == 3)
        let header = try JSONSerialization.jsonObject(with: base64URLDecoded(parts[0])) as? [String: String]
        #expect(header?["alg"] == "PS256")
        #expect(header?["x5t#S256"]?.count == 43)
        let claims = try JSONSerialization.jsonObject(with: base64URLDecoded(parts[1])) as? [String: Any]
        #expect(claims?["iss"] as? String == "app-1" && claims?["sub"] as? String == "app-1")
        #expect(claims?["aud"] as? String == "https://login.example/t/oauth2/v2.0/token")
        let key = try _RSA.Signing.PublicKey(
            pemRepresentation: String(contentsOfFile: GraphFixtures.publicKey, encoding: .utf8))
        let signature = _RSA.Signing.RSASignature(rawRepresentation: try base64URLDecoded(parts[2]))
        #expect(key.isValidSignature(signature, for: Array("\(parts[0]).\(parts[1])".utf8), padding: .PSS))
        #expect(!key.isValidSignature(signature, for: Array("\(parts[0]).x\(parts[1])".utf8), padding: .PSS))
    }

    @Test func graphsMessagesAreMaskedLikeReports() {
        #expect(
            ContactMask.text("Invalid phone number +1 4255550100 for alice@contoso.com.")
                == "Invalid phone number +1 XXXXXXXX00 for a***@contoso.com.")
        #expect(ContactMask.text("Request 424 failed, retry in 30 s") == "Request 424 failed, retry in 30 s")
    }

    @Test func requestsFileIsCheckedWholeAtItsLineAndColumn() throws {
        let folder = try TemporaryFolder()
        let good =
            #"{"tenant":"contoso","version":"beta","batch":{"requests":[{"id":"c1","method":"PATCH","url":"/users/u1/authentication/signInPreferences","body":{"userPreferredMethodForSecondaryAuthentication":"sms"}},{"id":"c1#2","method":"DELETE","url":"/users/u1/authentication/microsoftAuthenticatorMethods/a1","dependsOn":["c1"]},{"id":"bob_x.com#EXT#@c.com/mobilePhone/edit","method":"DELETE","url":"/users/bob_x.com%23EXT%23@c.com/authentication/phoneMethods/p"}]}}"#
        let batches = try PushRequestsFile.read(path: folder.write("requests.jsonl", good + "\n"))
        #expect(batches.count == 1 && batches[0].requests.count == 3)
        #expect(batches[0].requests.map(\.change) == ["c1", "c1", "bob_x.com#EXT#@c.com/mobilePhone/edit"])
        #expect(batches[0].requests[2].user == "bob_x.com#EXT#@c.com")
        #expect(batches[0].requests[1].dependsOn == ["c1"])
        #expect(
            batches[0].requests[0].body == Array(#"{"userPreferredMethodForSecondaryAuthentication":"sms"}"#.utf8))
        let broken = [
            (good.replacingOccurrences(of: #""dependsOn":["c1"]"#, with: #""dependsOn":["c9"]"#), "earlier request"),
            (good.replacingOccurrences(of: #""version":"beta""#, with: #""version":"v2""#), "\"version\""),
            (good + "\n" + good, "appears twice"),
            (
                good.replacingOccurrences(of: "/users/u1/authentication/signIn", with: "/me/authentication/signIn"),
                "/users/"
            ),
        ]
        for (text, message) in broken {
            let path = folder.write("broken.jsonl", text)
            let error = #expect(throws: InputError.self) { try PushRequestsFile.read(path: path) }
            #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
            #expect(error?.line != nil && error?.column != nil)
        }
        let many = (1...21).map {
            #"{"id":"r\#($0)","method":"DELETE","url":"/users/u/authentication/fido2Methods/\#($0)"}"#
        }
        let tooBig = #"{"tenant":"t","version":"v1.0","batch":{"requests":["# + many.joined(separator: ",") + "]}}"
        let error = #expect(throws: InputError.self) {
            try PushRequestsFile.read(path: folder.write("big.jsonl", tooBig))
        }
        #expect(error?.description.contains("at most 20") == true)
    }

    @Test func ledgerKeepsEndsDropsATornLastLineAndRefusesAnotherFilesRequests() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("ledger.jsonl").path
        let keys: Set<RequestKey> = [
            .init(tenant: "t", id: "a"), .init(tenant: "t", id: "b"), .init(tenant: "t", id: "c"),
        ]
        do {
            let ledger = try PushLedger(path: path, requests: keys)
            try ledger.record([
                .init(tenant: "t", id: "a", change: "a", status: nil, code: PushLedger.sentCode, message: ""),
                .init(tenant: "t", id: "b", change: "b", status: nil, code: PushLedger.sentCode, message: ""),
            ])
            try ledger.record([
                .init(tenant: "t", id: "a", change: "a", status: 204, code: "", message: ""),
                .init(tenant: "t", id: "b", change: "b", status: 400, code: "badRequest", message: "no"),
            ])
        }
        // A kill in the middle of a line: the torn line goes, what was synced stays.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"tenant":"t","id":"c","chan"#.utf8))
        try handle.close()
        let reopened = try PushLedger(path: path, requests: keys)
        #expect(reopened.state(of: .init(tenant: "t", id: "a")) == .succeeded(status: 204))
        #expect(
            reopened.state(of: .init(tenant: "t", id: "b")) == .failed(status: 400, code: "badRequest", message: "no"))
        #expect(reopened.state(of: .init(tenant: "t", id: "c")) == nil)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("}\n") && text.split(separator: "\n").count == 4)
        let error = #expect(throws: InputError.self) {
            try PushLedger(path: path, requests: [.init(tenant: "t", id: "a")])
        }
        #expect(error?.description.contains("another push's ledger") == true)
    }

    @Test func theRequestsMadeBeforeAnInterruptionAreReadFromTheUsersMethods() throws {
        let mobile = "3179e48a-750b-4051-897c-87b9720928f7"
        let email = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f"
        func effect(_ methods: String, default method: String? = "sms") throws -> RequestEffect {
            let preferences = method.map { #"{"userPreferredMethodForSecondaryAuthentication":"\#($0)"}"# }
            return RequestEffect(
                methods: try JSONReader.read(Array(#"{"value":[\#(methods)]}"#.utf8), path: "m"),
                preferences: try preferences.map { try JSONReader.read(Array($0.utf8), path: "p") })
        }
        func request(_ method: String, _ url: String, _ body: String? = nil) -> PushRequest {
            PushRequest(
                tenant: "t", id: "x", method: method, url: "/users/u/authentication/\(url)",
                body: body.map { Array($0.utf8) }, dependsOn: [], user: "u", change: "x")
        }
        let phone = #"{"id":"\#(mobile)","phoneNumber":"+1 4255550199","phoneType":"mobile"}"#
        let key = #"{"id":"f1"}"#
        let addPhone = request("POST", "phoneMethods", #"{"phoneNumber":"+14255550199","phoneType":"mobile"}"#)
        let setSMS = request("PATCH", "signInPreferences", #"{"userPreferredMethodForSecondaryAuthentication":"sms"}"#)
        let deleteKey = request("DELETE", "fido2Methods/f1")
        let chain = [addPhone, setSMS, deleteKey]
        // Nothing made, some, all.
        #expect(try effect(key, default: "push").madePrefix(of: chain) == 0)
        #expect(try effect("\(phone),\(key)", default: "push").madePrefix(of: chain) == 1)
        #expect(try effect("\(phone),\(key)").madePrefix(of: chain) == 2)
        #expect(try effect(phone).madePrefix(of: chain) == 3)
        // Another number where the phone was added: someone else changed the user.
        #expect(
            try effect(#"{"id":"\#(mobile)","phoneNumber":"+1 2065550100","phoneType":"mobile"}"#).madePrefix(of: chain)
                == nil)
        // An address added and deleted again leaves the user as before: taken as made, never sent twice.
        let addEmail = request("POST", "emailMethods", #"{"emailAddress":"a@b.example"}"#)
        let deleteEmail = request("DELETE", "emailMethods/\(email)")
        #expect(try effect(phone).madePrefix(of: [addEmail, deleteEmail]) == 2)
        #expect(
            try effect("\(phone),{\"id\":\"\(email)\",\"emailAddress\":\"A@B.example\"}").madePrefix(of: [
                addEmail, deleteEmail,
            ]) == 1)
    }
}

func base64URLDecoded(_ text: String) throws -> Data {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    guard let data = Data(base64Encoded: base64) else { throw TestFailure("not base64url: \(text)") }
    return data
}
