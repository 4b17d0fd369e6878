import Foundation
import SecurityInfo
import SecurityInfoFormats
import Testing

@testable import SecurityInfoEngine

/// The Graph calls an applied change makes (GRAPH.md §2), checked against the spec's table for every operation and
/// method, and the batches they go in.
@Suite("Graph requests")
struct GraphRequestsTests {
    static let user = User(
        name: "ann@contoso.com", defaultMethod: .push,
        methods: [
            MethodInstance(kind: .microsoftAuthenticator, id: "ma-1", value: "Ann's phone"),
            MethodInstance(kind: .softwareOath, id: "so-1", value: ""),
            MethodInstance(kind: .hardwareOath, id: "hw-1", value: "HW-1"),
            MethodInstance(kind: .fido2, id: "fk-1", value: "Key"),
            MethodInstance(kind: .mobilePhone, value: "+1 4255550100"),
            MethodInstance(kind: .alternateMobilePhone, value: "+1 4255550111"),
            MethodInstance(kind: .email, value: "ann@home.example"),
            MethodInstance(kind: .securityQuestions, value: "3"),
        ])

    /// A change run through the rule engine on `user`, and the requests its result makes.
    static func requests(
        _ operation: String, _ method: String = "", value: String = "", methodID: String = "", user: User = user,
        policy: TenantPolicy = TenantPolicy()
    ) -> GraphRequests.Plan {
        let change = ChangeRequest(
            line: 2, changeID: "c1", tenant: "contoso", user: user.name, operation: operation, method: method,
            methodID: methodID, value: value)
        let result = RuleEngine.evaluate(user: user, policy: policy, changes: [change]).results[0]
        #expect(result.outcome == .applied, "\(operation) \(method): \(result.message)")
        return GraphRequests.plan(for: change, result: result, user: "6e7b")
    }

    static func line(_ request: GraphRequests.Request) -> String {
        let body = request.body.map { " " + $0.map { "\($0.key)=\($0.value)" }.joined(separator: ",") } ?? ""
        return "\(request.id) \(request.method) \(request.url)\(request.isBeta ? " beta" : "")\(body)"
    }

    static func lines(_ plan: GraphRequests.Plan) -> [String] {
        guard case .requests(let requests) = plan else { return ["\(plan)"] }
        return requests.map(line)
    }

    static let base = "/users/6e7b/authentication"
    static let mobile = "3179e48a-750b-4051-897c-87b9720928f7"
    static let alternate = "b6332ec1-7057-4abe-9331-3d72feddfe41"
    static let office = "e37fc753-ff3b-4958-9484-eaa9425c82bc"
    static let email = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f"

    @Test("phones: POST, PATCH and DELETE on phoneMethods, the type's fixed id, Graph's number form")
    func phones() {
        var noOffice = Self.user
        noOffice.methods.removeAll { $0.kind == .mobilePhone || $0.kind == .alternateMobilePhone }
        #expect(
            Self.lines(Self.requests("add", "officePhone", value: "+1 (425) 555-0122 x12", user: noOffice)) == [
                "c1 POST \(Self.base)/phoneMethods phoneNumber=+1 4255550122x12,phoneType=office"
            ])
        #expect(
            Self.lines(Self.requests("add", "mobilePhone", value: "+14255550199", user: noOffice)) == [
                "c1 POST \(Self.base)/phoneMethods phoneNumber=+1 4255550199,phoneType=mobile"
            ])
        #expect(
            Self.lines(Self.requests("edit", "alternateMobilePhone", value: "+1 4255550112")) == [
                "c1 PATCH \(Self.base)/phoneMethods/\(Self.alternate) phoneNumber=+1 4255550112,phoneType=alternateMobile"
            ])
        #expect(
            Self.lines(Self.requests("delete", "alternateMobilePhone")) == [
                "c1 DELETE \(Self.base)/phoneMethods/\(Self.alternate)"
            ])
    }

    @Test("email: POST emailMethods, PATCH and DELETE its fixed id")
    func email() {
        var noEmail = Self.user
        noEmail.methods.removeAll { $0.kind == .email }
        #expect(
            Self.lines(Self.requests("add", "email", value: "ann@mail.example", user: noEmail)) == [
                "c1 POST \(Self.base)/emailMethods emailAddress=ann@mail.example"
            ])
        #expect(
            Self.lines(Self.requests("edit", "email", value: "ann@mail.example")) == [
                "c1 PATCH \(Self.base)/emailMethods/\(Self.email) emailAddress=ann@mail.example"
            ])
        #expect(Self.lines(Self.requests("delete", "email")) == ["c1 DELETE \(Self.base)/emailMethods/\(Self.email)"])
    }

    @Test("apps, tokens and keys are deleted by id; a hardware token only in beta")
    func deletesByID() {
        #expect(
            Self.lines(Self.requests("delete", "softwareOath")) == [
                "c1 DELETE \(Self.base)/softwareOathMethods/so-1"
            ])
        #expect(
            Self.lines(Self.requests("delete", "fido2", methodID: "fk-1")) == [
                "c1 DELETE \(Self.base)/fido2Methods/fk-1"
            ])
        #expect(
            Self.lines(Self.requests("delete", "hardwareOath", value: "HW-1")) == [
                "c1 DELETE \(Self.base)/hardwareOathMethods/hw-1 beta"
            ])
    }

    @Test("set-default PATCHes signInPreferences, in beta")
    func setDefault() {
        #expect(
            Self.lines(Self.requests("set-default", value: "sms")) == [
                "c1 PATCH \(Self.base)/signInPreferences beta userPreferredMethodForSecondaryAuthentication=sms"
            ])
    }

    @Test("a delete that moves the default (R-DEFAULT-DELETE): the default's PATCH first, the DELETE after it")
    func deleteMovingDefault() {
        #expect(
            Self.lines(Self.requests("delete", "microsoftAuthenticator")) == [
                "c1 PATCH \(Self.base)/signInPreferences beta userPreferredMethodForSecondaryAuthentication=oath",
                "c1#2 DELETE \(Self.base)/microsoftAuthenticatorMethods/ma-1",
            ])
        // Moved to none: Graph takes no none; the delete goes alone.
        let only = User(
            name: "bo@contoso.com", defaultMethod: .push,
            methods: [MethodInstance(kind: .microsoftAuthenticator, id: "ma-9", value: "x")])
        #expect(
            Self.lines(Self.requests("delete", "microsoftAuthenticator", user: only)) == [
                "c1 DELETE \(Self.base)/microsoftAuthenticatorMethods/ma-9"
            ])
    }

    @Test(
        "require-reregister: a DELETE for each method it removes, the alternate before the mobile, the default's last")
    func requireReregister() {
        #expect(
            Self.lines(Self.requests("require-reregister")) == [
                "c1 DELETE \(Self.base)/phoneMethods/\(Self.alternate)",
                "c1#2 DELETE \(Self.base)/softwareOathMethods/so-1",
                "c1#3 DELETE \(Self.base)/phoneMethods/\(Self.mobile)",
                "c1#4 DELETE \(Self.base)/microsoftAuthenticatorMethods/ma-1",
            ])
    }

    @Test("what Graph cannot make is a manual step, with no request", arguments: ["questions", "token", "no id"])
    func manualSteps(which: String) {
        let plan: GraphRequests.Plan
        switch which {
        case "questions": plan = Self.requests("delete", "securityQuestions")
        case "token": plan = Self.requests("add", "hardwareOath", value: "HW-2")
        default:
            let user = User(name: "cy@contoso.com", methods: [MethodInstance(kind: .fido2, value: "Key")])
            plan = Self.requests("delete", "fido2", user: user)
        }
        guard case .manual(let why) = plan else {
            Issue.record("expected a manual step, got \(plan)")
            return
        }
        #expect(!why.isEmpty)
    }

    @Test("a UPN in a URL is percent-encoded: a guest's #EXT# cannot end the path")
    func guestUPN() {
        #expect(
            GraphMethodType.pathSegment("ann_home.example#EXT#@contoso.onmicrosoft.com")
                == "ann_home.example%23EXT%23@contoso.onmicrosoft.com")
        #expect(GraphMethodType.pathSegment("a/b?c%d") == "a%2Fb%3Fc%25d")
    }

    static func request(_ id: String, beta: Bool = false) -> GraphRequests.Request {
        GraphRequests.Request(id: id, method: "DELETE", url: "/users/u/authentication/x/\(id)", isBeta: beta)
    }

    @Test("batches: at most 20, one tenant each, a user's requests chained and together, beta when one needs it")
    func batches() throws {
        let users = [
            GraphRequests.UserRequests(tenant: "a", requests: (1...3).map { Self.request("u1-\($0)") }),
            GraphRequests.UserRequests(tenant: "a", requests: (1...18).map { Self.request("u2-\($0)", beta: $0 == 5) }),
            GraphRequests.UserRequests(tenant: "a", requests: (1...25).map { Self.request("u3-\($0)") }),
            GraphRequests.UserRequests(tenant: "b", requests: [Self.request("u4-1")]),
        ]
        let lines = try GraphRequests.batches(users).map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        }
        func requests(_ line: [String: Any]) -> [[String: Any]] {
            ((line["batch"] as? [String: Any])?["requests"] as? [[String: Any]]) ?? []
        }
        #expect(lines.map { requests($0).count } == [3, 18, 20, 5, 1])
        #expect(lines.map { $0["tenant"] as? String } == ["a", "a", "a", "a", "b"])
        #expect(lines.map { $0["version"] as? String } == ["v1.0", "beta", "v1.0", "v1.0", "v1.0"])
        #expect(requests(lines[0]).map { ($0["dependsOn"] as? [String])?.first } == [nil, "u1-1", "u1-2"])
        #expect((requests(lines[3]).first?["dependsOn"]) == nil, "a user's 21st request starts the next batch")
        #expect(lines.allSatisfy { requests($0).count <= 20 })
    }
}
