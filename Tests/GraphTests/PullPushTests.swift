import Crypto
import Foundation
import GraphEmulator
import Testing

/// pull → apply → push with the `secinfo` binary against the project's Graph emulator on loopback, as a nightly
/// job would run them: the tenants end as `apply` wrote them, through throttling, lost connections, a tenant
/// that will not authenticate, and a `kill -9` in the middle of a push.
@Suite(.serialized) struct PullPushTests {
    @Test func pullApplyPushLeavesTheTenantsAsApplyWroteThem() async throws {
        let world = try await GraphWorld(exports: GraphWorld.sampleExports)
        defer { world.stop() }
        let pulled = try await world.secinfo(["pull", "--out", world.folder.path("pulled")] + world.graphArguments)
        #expect(pulled.code == 0, "\(pulled.errors)")
        for tenant in GraphWorld.sampleTenants {
            let export = try world.folder.read("pulled/\(tenant).jsonl")
            #expect(try UserState.of(export) == UserState.of(world.emulator.exportLines(tenant: tenant)), "\(tenant)")
        }
        // One token a tenant, reused for every request of the run.
        #expect(world.emulator.statistics.tokenRequests == GraphWorld.sampleTenants.count)
        // Hardware tokens keep their serial numbers, which only the token list gives.
        #expect(try world.folder.read("pulled/contoso.jsonl").contains("\"serialNumber\""))

        let (requests, expected) = try await world.applySamples(from: "pulled")
        let push = try await world.push(requests: requests)
        #expect(push.code == 0, "\(push.output)\n\(push.errors)")
        let requestCount = try world.requestCount(requests)
        #expect(requestCount > 10)
        // Each request made once: the emulator's record of changes is as long as the file.
        #expect(world.emulator.appliedMutations.count == requestCount)
        try world.expectTenants(equal: expected)
        let report = try world.folder.read("push-report/push.csv")
        #expect(report.hasPrefix("tenant,change_id,user,requests,outcome,status,code,message\n"))
        #expect(!report.contains(",failed,") && !report.contains(",skipped,"))
        let summary = try world.folder.read("push-report/summary.json")
        #expect(
            summary.contains(
                #""total":{"requests":{"planned":\#(requestCount),"succeeded":\#(requestCount),"failed":0,"skipped":0},"balanced":true}"#
            ))

        // A second push with the same ledger sends nothing and reports the same.
        let batchesBefore = world.emulator.statistics.batches
        let again = try await world.push(requests: requests)
        #expect(again.code == 0)
        #expect(world.emulator.statistics.batches == batchesBefore)
        #expect(try world.folder.read("push-report/push.csv") == report)
        try world.expectNoSecretIn(outputs: [pulled, push, again])
    }

    @Test(.tags(.slow)) func throttlingAndLostConnectionsChangeNothingOfTheResult() async throws {
        let world = try await GraphWorld(exports: GraphWorld.sampleExports)
        defer { world.stop() }
        var faults = GraphEmulator.Faults()
        faults.throttledShare = 0.2
        faults.throttledBatchShare = 0.05
        faults.unavailableShare = 0.05
        faults.retryAfterSeconds = 1
        faults.droppedConnections = 2
        world.emulator.setFaults(faults)
        let pulled = try await world.secinfo(["pull", "--out", world.folder.path("pulled")] + world.graphArguments)
        #expect(pulled.code == 0, "\(pulled.errors)")
        for tenant in GraphWorld.sampleTenants {
            #expect(
                try UserState.of(world.folder.read("pulled/\(tenant).jsonl"))
                    == UserState.of(world.emulator.exportLines(tenant: tenant)))
        }
        let (requests, expected) = try await world.applySamples(from: "pulled")
        faults.droppedConnections = 2
        world.emulator.setFaults(faults)
        let push = try await world.push(requests: requests)
        #expect(push.code == 0, "\(push.output)\n\(push.errors)")
        try world.expectTenants(equal: expected)
        #expect(world.emulator.appliedMutations.count == (try world.requestCount(requests)))
        let statistics = world.emulator.statistics
        #expect(statistics.throttled > 0)
        #expect(statistics.dropped >= 2)
        #expect(statistics.earlyRetries == 0)
    }

    @Test func aTenantThatWillNotAuthenticateStopsOnlyItself() async throws {
        let world = try await GraphWorld(exports: GraphWorld.sampleExports)
        defer { world.stop() }
        let pulledOK = try await world.secinfo(["pull", "--out", world.folder.path("pulled")] + world.graphArguments)
        #expect(pulledOK.code == 0)
        let (requests, expected) = try await world.applySamples(from: "pulled")

        var faults = GraphEmulator.Faults()
        faults.failingTokenTenants = ["fabrikam"]
        world.emulator.setFaults(faults)
        let pulled = try await world.secinfo(["pull", "--out", world.folder.path("again")] + world.graphArguments)
        #expect(pulled.code == 69)
        #expect(pulled.errors.contains("tenant fabrikam: the token endpoint refused the app"), "\(pulled.errors)")
        #expect(!FileManager.default.fileExists(atPath: world.folder.path("again/fabrikam.jsonl")))
        #expect(FileManager.default.fileExists(atPath: world.folder.path("again/contoso.jsonl")))

        let push = try await world.push(requests: requests)
        #expect(push.code == 69, "\(push.output)\n\(push.errors)")
        let ledger = try world.folder.read("ledger.jsonl")
        #expect(!ledger.contains(#""tenant":"fabrikam""#))
        #expect(ledger.contains(#""tenant":"contoso""#))
        #expect(try world.folder.read("push-report/push.csv").contains("fabrikam"))
        // Once the tenant authenticates again, the rerun sends what it had not.
        world.emulator.setFaults(GraphEmulator.Faults())
        let rerun = try await world.push(requests: requests)
        #expect(rerun.code == 0, "\(rerun.output)\n\(rerun.errors)")
        try world.expectTenants(equal: expected)
        #expect(world.emulator.appliedMutations.count == (try world.requestCount(requests)))
    }

    @Test func pullWithoutTheRegistrationReportTakesAdminsFromRolesAndWritesTheFormatAsked() async throws {
        let world = try await GraphWorld(exports: GraphWorld.sampleExports, withoutPremium: ["contoso"])
        defer { world.stop() }
        let out = world.folder.path("pulled")
        let pulled = try await world.secinfo(
            ["pull", "--out", out, "--format", "csv", "--gzip"] + world.graphArguments)
        #expect(pulled.code == 0, "\(pulled.errors)")
        #expect(pulled.errors.contains("tenant contoso: the registration report is refused"))
        #expect(!pulled.errors.contains("tenant fabrikam: the registration report"))
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == GraphWorld.sampleTenants.map { "\($0).csv.gz" })
        // The CSV holds the same admins as Graph: contoso's from its directory roles.
        let asJSONL = world.folder.path("contoso.jsonl")
        let converted = try await world.secinfo(["convert", "--from", "\(out)/contoso.csv.gz", "--to", asJSONL])
        #expect(converted.code == 0, "\(converted.errors)")
        let admins = { (states: [String: UserState]) in Set(states.filter(\.value.isAdmin).keys) }
        let expectedAdmins = admins(try UserState.of(world.emulator.exportLines(tenant: "contoso")))
        #expect(!expectedAdmins.isEmpty)
        #expect(admins(try UserState.of(world.folder.read("contoso.jsonl"))) == expectedAdmins)
    }

    /// About 30 s: the HTTP client tries a refused connection again until its 10 s connect timeout, three times.
    @Test(.tags(.slow)) func anAuthorityThatCannotBeReachedIsExit69() async throws {
        let world = try await GraphWorld(exports: GraphWorld.sampleExports)
        defer { world.stop() }
        var arguments = world.graphArguments
        arguments[arguments.firstIndex(of: "--authority-url")! + 1] = "http://127.0.0.1:9"
        let pulled = try await world.secinfo(["pull", "--out", world.folder.path("pulled")] + arguments)
        #expect(pulled.code == 69)
        #expect(pulled.errors.contains("could not be reached"), "\(pulled.errors)")
        #expect(!FileManager.default.fileExists(atPath: world.folder.path("pulled")))
    }

    @Test func badInputSendsNothing() async throws {
        let world = try await GraphWorld(exports: GraphWorld.sampleExports)
        defer { world.stop() }
        let stranger = world.folder.write(
            "stranger.jsonl",
            #"{"tenant":"northwind","version":"v1.0","batch":{"requests":[{"id":"c1","method":"DELETE","url":"/users/u/authentication/fido2Methods/f"}]}}"#
                + "\n")
        let refused = try await world.push(requests: stranger)
        #expect(refused.code == 2)
        #expect(refused.errors.contains("stranger.jsonl:1:") && refused.errors.contains("northwind"))
        let broken = world.folder.write("broken.jsonl", #"{"tenant":"contoso","version":"v1.0","batch":{"#)
        #expect(try await world.push(requests: broken).code == 2)
        #expect(world.emulator.statistics.batches == 0)
        #expect(world.emulator.statistics.tokenRequests == 0)
        let http = try await world.secinfo(
            [
                "pull", "--out", world.folder.path("x"), "--tenants", world.tenantsFile, "--graph-url",
                "http://graph.example.com",
            ])
        #expect(http.code == 2 && http.errors.contains("loopback"))
    }

    @Test(.tags(.slow)) func pushKilledAtAnyMomentAndRunAgainMakesEveryRequestOnce() async throws {
        // A generated tenant set with enough changes to kill the push in the middle of them.
        let data = try TemporaryFolder()
        let generated = try await SecInfoProcess.run(
            [
                "generate", "--tenants", "2", "--users", "400", "--format", "jsonl", "--changes", "240", "--seed", "7",
                "--out", data.url.path,
            ])
        #expect(generated.code == 0, "\(generated.errors)")
        let world = try await GraphWorld(exports: [data.path("export.jsonl")])
        defer { world.stop() }
        let pulled = try await world.secinfo(["pull", "--out", world.folder.path("pulled")] + world.graphArguments)
        #expect(pulled.code == 0, "\(pulled.errors)")
        let requests = world.folder.path("requests.jsonl")
        let apply = try await world.secinfo([
            "apply", "--export", world.folder.path("pulled"), "--changes", data.path("changes.csv"), "--output",
            world.folder.path("applied"), "--report", world.folder.path("apply-report"), "--graph-requests", requests,
        ])
        #expect([0, 1].contains(apply.code), "\(apply.errors)")
        let expected = try world.expectedStates(applied: "applied", report: "apply-report")
        let requestCount = try world.requestCount(requests)
        #expect(requestCount > 60)

        var faults = GraphEmulator.Faults()
        for tenant in world.tenants { faults.responseDelaySeconds[tenant] = 0.3 }
        world.emulator.setFaults(faults)
        var inFlightAtAKill = false
        // Two kills, each while a batch is in flight (its `sent` lines are the ledger's last): one before any
        // request has ended, one once some forty have.
        for endedBeforeKill in [0, 40] {
            let push = try SecInfoProcess(
                ["push", "--requests", requests, "--ledger", world.folder.path("ledger.jsonl"), "--concurrency", "2"]
                    + world.graphArguments, environment: world.environment)
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, push.process.isRunning {
                let ledger = (try? world.folder.read("ledger.jsonl")) ?? ""
                let lastIsSent = ledger.split(separator: "\n").last?.contains(#""code":"sent""#) == true
                if lastIsSent, try world.ledgerLastCodes().values.count(where: { $0 != "sent" }) >= endedBeforeKill {
                    break
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            push.kill()
            _ = try await push.finish()
            let last = try world.ledgerLastCodes()
            inFlightAtAKill = inFlightAtAKill || last.values.contains("sent")
            #expect(last.values.count { $0 != "sent" } < requestCount, "the push ended before the kill")
        }
        #expect(inFlightAtAKill, "no kill came with a batch in flight")
        world.emulator.setFaults(GraphEmulator.Faults())
        let rerun = try await world.push(requests: requests)
        #expect(rerun.code == 0, "\(rerun.output)\n\(rerun.errors)")
        // No request made twice. (A user's address added and deleted again, both in flight at the kill, leaves
        // the user as before: the rerun takes both as made, so the emulator may have seen fewer.)
        let sent = Dictionary(world.emulator.appliedMutations.map { ($0, 1) }, uniquingKeysWith: +)
        let planned = try world.plannedMutations(requests)
        for (mutation, count) in sent {
            #expect(count <= planned[mutation, default: 0], "\(mutation) made \(count) times")
        }
        try world.expectTenants(equal: expected)
        let summary = try world.folder.read("push-report/summary.json")
        #expect(summary.contains(#""succeeded":\#(requestCount),"failed":0,"skipped":0},"balanced":true"#))
    }

    @Test func aHeldLockStopsThePushAtOnce() async throws {
        let world = try await GraphWorld(exports: GraphWorld.sampleExports)
        defer { world.stop() }
        let lock = world.folder.path("push.lock")
        let descriptor = open(lock, O_RDWR | O_CREAT, 0o644)
        defer { close(descriptor) }
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let requests = world.folder.write(
            "r.jsonl",
            #"{"tenant":"contoso","version":"v1.0","batch":{"requests":[{"id":"c1","method":"DELETE","url":"/users/u/authentication/fido2Methods/f"}]}}"#
                + "\n")
        let push = try await world.push(requests: requests, extra: ["--lock", lock])
        #expect(push.code == 75)
        #expect(world.emulator.statistics.batches == 0)
    }
}

/// The emulator with the tenants of some exports, a tenants file that reaches it (a secret in the environment for
/// each tenant but fabrikam, which signs in with the test certificate), and the commands run against it.
final class GraphWorld: @unchecked Sendable {
    static let sampleTenants = ["contoso", "fabrikam", "tailspin", "woodgrove"]
    static var sampleExports: [String] {
        ["contoso.jsonl", "fabrikam.jsonl", "woodgrove-and-tailspin.jsonl"].map {
            GraphFixtures.repository.appendingPathComponent("Samples/exports-jsonl/\($0)").path
        }
    }

    let emulator: GraphEmulator
    let folder: TemporaryFolder
    let tenants: [String]
    let tenantsFile: String
    let environment: [String: String]

    init(exports: [String], configuration: GraphEmulator.Configuration = .init(), withoutPremium: Set<String> = [])
        async throws
    {
        folder = try TemporaryFolder()
        emulator = GraphEmulator(configuration: configuration)
        var lines: [UInt8] = []
        for path in exports { lines += try Array(Data(contentsOf: URL(fileURLWithPath: path))) }
        let names = Set(
            String(decoding: lines, as: UTF8.self).split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["tenant"] as? String
            })
        tenants = names.sorted()
        let publicKey = try String(contentsOfFile: GraphFixtures.publicKey, encoding: .utf8)
        var environment: [String: String] = [:]
        var entries: [String] = []
        for name in tenants {
            if name == "fabrikam" {
                emulator.addTenant(
                    EmulatedTenant(
                        name: name, tenantID: "\(name).example", clientID: "app-\(name)",
                        certificatePublicKeyPEM: publicKey, certificateThumbprintSHA256: try Self.thumbprint()))
                entries.append(
                    #""\#(name)": {"tenantId": "\#(name).example", "clientId": "app-\#(name)", "certificate": "\#(GraphFixtures.certificate)"}"#
                )
            } else {
                let variable = "SECINFO_TEST_SECRET_\(name.uppercased())"
                environment[variable] = Self.secret(name)
                emulator.addTenant(
                    EmulatedTenant(
                        name: name, tenantID: "\(name).example", clientID: "app-\(name)",
                        clientSecret: Self.secret(name), hasPremiumReports: !withoutPremium.contains(name)))
                entries.append(
                    #""\#(name)": {"tenantId": "\#(name).example", "clientId": "app-\#(name)", "clientSecretEnv": "\#(variable)"}"#
                )
            }
        }
        self.environment = environment
        tenantsFile = folder.write("tenants.json", "{\"tenants\": {" + entries.joined(separator: ",\n") + "}}\n")
        try emulator.load(exportLines: lines)
        try await emulator.start()
    }

    func stop() {
        let emulator = self.emulator
        let done = DispatchSemaphore(value: 0)
        Task {
            try? await emulator.shutdown()
            done.signal()
        }
        done.wait()
    }

    static func secret(_ tenant: String) -> String { "Zq8~\(tenant)-client-secret-not-real" }

    /// SHA-256 of the test certificate's DER bytes.
    static func thumbprint() throws -> [UInt8] {
        let pem = try String(contentsOfFile: GraphFixtures.certificate, encoding: .utf8)
        guard let begin = pem.range(of: "-----BEGIN CERTIFICATE-----"),
            let end = pem.range(of: "-----END CERTIFICATE-----"),
            let der = Data(
                base64Encoded: String(pem[begin.upperBound..<end.lowerBound]), options: .ignoreUnknownCharacters)
        else { throw TestFailure("no certificate in the fixture") }
        return Array(SHA256.hash(data: der))
    }

    var graphArguments: [String] {
        ["--tenants", tenantsFile, "--graph-url", emulator.baseURL, "--authority-url", emulator.baseURL, "--quiet"]
    }

    func secinfo(_ arguments: [String]) async throws -> (code: Int32, output: String, errors: String) {
        try await SecInfoProcess.run(arguments, environment: environment)
    }

    func push(requests: String, extra: [String] = []) async throws -> (code: Int32, output: String, errors: String) {
        try await secinfo(
            [
                "push", "--requests", requests, "--ledger", folder.path("ledger.jsonl"), "--report",
                folder.path("push-report"),
            ]
                + graphArguments + extra)
    }

    /// `apply` of the samples' changes to a pulled folder: the requests file, and the users' states `apply`
    /// wrote.
    func applySamples(from pulled: String) async throws -> (requests: String, expected: [String: [String: UserState]]) {
        let samples = GraphFixtures.repository.appendingPathComponent("Samples")
        let requests = folder.path("requests.jsonl")
        let apply = try await secinfo([
            "apply", "--export", folder.path(pulled), "--changes", samples.appendingPathComponent("changes.csv").path,
            "--policy", samples.appendingPathComponent("policy.json").path, "--output", folder.path("applied"),
            "--report", folder.path("apply-report"), "--graph-requests", requests,
        ])
        // The samples reject some changes and hold woodgrove (exit 3).
        #expect(apply.code == 3, "\(apply.errors)")
        return (requests, try expectedStates(applied: "applied", report: "apply-report"))
    }

    /// The states `apply` wrote, without the users a change of which Graph cannot make (a manual step): those the
    /// tenant does not have until someone makes the step.
    func expectedStates(applied: String, report: String) throws -> [String: [String: UserState]] {
        let changes = try folder.read("\(report)/changes.csv").split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let header = changes[0]
        let (tenantColumn, userColumn) = (header.firstIndex(of: "tenant")!, header.firstIndex(of: "user")!)
        let manual = Set(
            changes.dropFirst().filter { $0.joined(separator: ",").contains("manual step:") }.map {
                "\($0[tenantColumn])/\($0[userColumn].lowercased())"
            })
        var expected: [String: [String: UserState]] = [:]
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path(applied))
        for file in files where file.hasSuffix(".jsonl") {
            let lines = try folder.read("\(applied)/\(file)").split(separator: "\n").map(String.init)
            for (key, state) in try UserState.of(lines) where !manual.contains("\(state.tenant)/\(key)") {
                expected[state.tenant, default: [:]][key] = state
            }
        }
        return expected
    }

    func expectTenants(equal expected: [String: [String: UserState]], sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        for (tenant, users) in expected {
            let now = try UserState.of(emulator.exportLines(tenant: tenant))
            for (key, state) in users {
                #expect(now[key] == state, "\(tenant) \(key)", sourceLocation: sourceLocation)
            }
        }
    }

    /// Each request of a requests file as the emulator records a change it makes: `TENANT METHOD URL`, counted.
    func plannedMutations(_ requests: String) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in try folder.read((requests as NSString).lastPathComponent).split(separator: "\n") {
            let batch = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let tenant = batch?["tenant"] as? String ?? ""
            let items = (batch?["batch"] as? [String: Any])?["requests"] as? [[String: Any]] ?? []
            for item in items {
                counts["\(tenant) \(item["method"] as? String ?? "") \(item["url"] as? String ?? "")", default: 0] += 1
            }
        }
        return counts
    }

    /// The ledger's last `code` for each request id.
    func ledgerLastCodes() throws -> [String: String] {
        var codes: [String: String] = [:]
        for line in try folder.read("ledger.jsonl").split(separator: "\n") {
            guard let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                continue
            }
            codes["\(entry["tenant"] ?? "")/\(entry["id"] ?? "")"] = entry["code"] as? String ?? ""
        }
        return codes
    }

    func requestCount(_ requests: String) throws -> Int {
        try folder.read((requests as NSString).lastPathComponent).components(separatedBy: #""method":"#).count - 1
    }

    /// No secret in anything the runs printed or wrote.
    func expectNoSecretIn(outputs: [(code: Int32, output: String, errors: String)]) throws {
        var texts = outputs.flatMap { [$0.output, $0.errors] }
        let enumerator = FileManager.default.enumerator(atPath: folder.url.path)
        while let file = enumerator?.nextObject() as? String {
            if let text = try? folder.read(file) { texts.append(text) }
        }
        for tenant in tenants {
            #expect(!texts.contains { $0.contains(Self.secret(tenant)) }, "\(tenant)'s secret was written somewhere")
        }
        #expect(!texts.contains { $0.contains("PRIVATE KEY") }, "the certificate's key was written somewhere")
    }
}

/// A user as the tests compare tenants: the methods (a phone by type and digits, an address without case, the
/// others by type and id), the default, `isAdmin`.
struct UserState: Equatable, CustomStringConvertible {
    var tenant: String
    var isAdmin: Bool
    var defaultMethod: String
    var methods: [String]

    var description: String { "admin \(isAdmin), default \(defaultMethod), \(methods)" }

    /// Users by lowercased UPN.
    static func of(_ text: String) throws -> [String: UserState] {
        try of(text.split(separator: "\n").map(String.init))
    }

    static func of(_ lines: [String]) throws -> [String: UserState] {
        var users: [String: UserState] = [:]
        for line in lines where !line.isEmpty {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let upn = object["userPrincipalName"] as? String, let tenant = object["tenant"] as? String
            else { throw TestFailure("not a user line: \(line)") }
            let preferences = object["signInPreferences"] as? [String: Any]
            var defaultMethod = preferences?["userPreferredMethodForSecondaryAuthentication"] as? String ?? "none"
            if defaultMethod.isEmpty { defaultMethod = "none" }
            let methods = (object["methods"] as? [[String: Any]] ?? []).map { method -> String in
                let type = (method["@odata.type"] as? String ?? "").replacingOccurrences(
                    of: "#microsoft.graph.", with: "")
                switch type {
                case "phoneAuthenticationMethod":
                    let digits = (method["phoneNumber"] as? String ?? "").filter { $0.isNumber || $0 == "x" }
                    return "phone \(method["phoneType"] as? String ?? "") \(digits)"
                case "emailAuthenticationMethod":
                    return "email \((method["emailAddress"] as? String ?? "").lowercased())"
                default:
                    return "\(type) \((method["id"] as? String ?? "").lowercased())"
                }
            }
            users[upn.lowercased()] = UserState(
                tenant: tenant, isAdmin: object["isAdmin"] as? Bool ?? false, defaultMethod: defaultMethod,
                methods: methods.sorted())
        }
        return users
    }
}
