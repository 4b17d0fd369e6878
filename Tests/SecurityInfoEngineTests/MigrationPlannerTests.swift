import SecurityInfo
import SecurityInfoFormats
import Testing

@testable import SecurityInfoEngine

/// The migration planner on one pair of users: what moves (and as which change), what the user must register
/// again, what the target blocks, and how the default follows.
@Suite("Migration planner")
struct MigrationPlannerTests {
    static func planner(policy: TenantPolicy = TenantPolicy(), createUsers: Bool = false) -> Migration.Planner {
        var configuration = Migration.Configuration(sourcePath: "s.csv", targetPath: "t.csv", changesOut: "c.csv")
        configuration.createUsers = createUsers
        return Migration.Planner(
            sourceTenant: "old", targetTenant: "new", targetUsers: [], policy: policy,
            configuration: configuration, userMap: nil)
    }

    static let source = User(
        name: "ann@old.example", defaultMethod: .sms,
        methods: [
            MethodInstance(kind: .microsoftAuthenticator, id: "a1", value: "Ann's phone"),
            MethodInstance(kind: .mobilePhone, value: "+1 4255550100"),
            MethodInstance(kind: .email, value: "ann@home.example"),
            MethodInstance(kind: .hardwareOath, id: "t1", value: "HW-1"),
        ])

    @Test("an empty target: adds in RULES.md's order, tokens by serial, the default last; user-only methods listed")
    func movesEverythingItCan() {
        let target = User(name: "ann@new.example")
        let (outcome, rows) = Self.planner().planUser(Self.source, target: target, targetName: target.name)
        #expect(
            rows.map { "\($0.request.operation) \($0.request.method) \($0.request.value)" } == [
                "add mobilePhone +1 4255550100", "add email ann@home.example", "add hardwareOath HW-1",
                "set-default  sms",
            ])
        #expect(rows.map(\.request.changeID).first == "ann@new.example/mobilePhone/add")
        #expect(rows[2].request.methodID == "t1")
        #expect(outcome.mustReregister == ["microsoftAuthenticator “Ann's phone”"])
        #expect(outcome.status == .partly)
        #expect(outcome.blocked.isEmpty)
    }

    @Test("a differing value is an edit that expects the target's; a value already there moves nothing")
    func editsWithExpect() {
        let target = User(
            name: "ann@new.example", defaultMethod: .sms,
            methods: [
                MethodInstance(kind: .mobilePhone, value: "+1 4255550199"),
                MethodInstance(kind: .email, value: "ANN@home.example"),
                MethodInstance(kind: .hardwareOath, value: "hw-1"),
                MethodInstance(kind: .microsoftAuthenticator, value: "Ann's phone"),
            ])
        let (outcome, rows) = Self.planner().planUser(Self.source, target: target, targetName: target.name)
        #expect(rows.count == 1)
        #expect(rows.first?.request.operation == "edit" && rows.first?.request.expect == "+1 4255550199")
        #expect(outcome.status == .fully && outcome.mustReregister.isEmpty)
    }

    @Test("what the target's policy disables is blocked, and a default whose method did not move says why")
    func blockedByPolicy() {
        var policy = TenantPolicy()
        policy.enabledMethods.subtract([.sms, .voice, .microsoftAuthenticator])
        let target = User(name: "ann@new.example")
        let (outcome, rows) = Self.planner(policy: policy).planUser(
            Self.source, target: target, targetName: target.name)
        #expect(rows.map(\.request.method) == ["email", "hardwareOath"])
        #expect(outcome.blocked.contains { $0.hasPrefix("mobilePhone: blocked by policy") })
        #expect(outcome.blocked.contains { $0.hasPrefix("microsoftAuthenticator “Ann's phone”: blocked by policy") })
        #expect(outcome.blocked.last?.hasPrefix("default sms cannot move") == true)
        #expect(outcome.mustReregister.isEmpty)
        #expect(outcome.status == .partly)
    }

    @Test("a target the export lacks: changes only with --create-users, and the default needs a moved method")
    func createdUser() {
        let lonely = User(name: "bo@old.example", defaultMethod: .push)
        let (none, noRows) = Self.planner(createUsers: true).planUser(lonely, target: nil, targetName: "bo@new.example")
        #expect(noRows.isEmpty)
        #expect(none.blocked == ["default push cannot move: no method moved to create the user"])
        let (outcome, rows) = Self.planner(createUsers: true).planUser(
            Self.source, target: nil, targetName: "ann@new.example")
        #expect(rows.first?.request.operation == "add")
        #expect(outcome.reason.contains("the user is created in the target"))
    }
}
