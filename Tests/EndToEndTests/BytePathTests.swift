import Foundation
import Testing

/// Users no change names are copied as their bytes (issue 16); `--decode-every-user` decodes and encodes every one
/// as before. The two must give the same exit code, messages, exports and reports, byte for byte, for every kind
/// of input: the samples, generated exports, odd but valid files, and broken and hostile ones.
@Suite("Bytes copied or every user decoded: the same outputs", .tags(.slow))
struct BytePathTests {
    /// An input set: exports, a change file, a policy, and the commands' extra arguments.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var exports: String
        var changes: String
        var policy: String?
        /// For `plan` and `apply`.
        var arguments: [String] = []
        /// For every command.
        var common: [String] = []
        var testDescription: String { name }
    }

    /// Runs `apply`, `plan` and `validate` both ways and compares everything they write and print.
    static func expectSameBothWays(_ testCase: Case, in workspace: Workspace) throws {
        for command in ["apply", "plan", "validate"] {
            var runs: [(exitCode: Int32, errors: String, files: [String: Data])] = []
            for mode in ["copied", "decoded"] {
                let label = "\(testCase.name)-\(command)-\(mode)"
                var arguments = [command, "--export", testCase.exports, "--report", workspace.path("report-\(label)")]
                if command != "validate" { arguments += ["--changes", testCase.changes] }
                if command == "apply" { arguments += ["--output", workspace.path("out-\(label)")] }
                if let policy = testCase.policy { arguments += ["--policy", policy] }
                if command != "validate" { arguments += testCase.arguments }
                arguments += testCase.common
                if mode == "decoded" { arguments.append("--decode-every-user") }
                let result = try SecInfo.run(arguments)
                var files: [String: Data] = [:]
                for folder in ["out", "report"] {
                    for file in workspace.contents(of: "\(folder)-\(label)") {
                        var data = try Data(
                            contentsOf: URL(fileURLWithPath: workspace.path("\(folder)-\(label)/\(file)")))
                        if file == "summary.json" { data = try WorkerDeterminismTests.withoutRunDetails(data) }
                        if file == "report.html" { data = WorkerDeterminismTests.withoutStartTime(data) }
                        files["\(folder)/\(file)"] = data
                    }
                }
                // Log lines begin with their time.
                let errors = result.standardError.replacing(label, with: "").replacing(
                    #/(?m)^\d{4}-\d\d-\d\dT[0-9:+-]+ /#, with: "")
                runs.append((result.exitCode, errors, files))
            }
            let (bytes, decoded) = (runs[0], runs[1])
            let label = "\(testCase.name) \(command)"
            #expect(bytes.exitCode == decoded.exitCode, "\(label): exit \(bytes.exitCode) \(bytes.errors)")
            #expect(bytes.errors == decoded.errors, "\(label)")
            #expect(bytes.files.keys.sorted() == decoded.files.keys.sorted(), "\(label)")
            for (file, data) in bytes.files { #expect(data == decoded.files[file], "\(label): \(file) differs") }
            if command == "apply" && [0, 1, 3].contains(bytes.exitCode) {
                #expect(bytes.files.keys.contains { $0.hasPrefix("out/") }, "\(label): an export was written")
            }
        }
    }

    static let samples = Fixtures.samples.path

    @Test(
        "the samples, in every format",
        arguments: ["exports", "exports-csv-gz", "exports-xml", "exports-jsonl"])
    func samples(exports: String) throws {
        let workspace = try Workspace()
        let testCase = Case(
            name: exports, exports: "\(Self.samples)/\(exports)", changes: "\(Self.samples)/changes.csv",
            policy: "\(Self.samples)/policy.json")
        try Self.expectSameBothWays(testCase, in: workspace)
    }

    @Test(
        "generated exports, CSV, XML and Graph, gzipped or not, and the determinism scenario made canonical by convert")
    func generated() throws {
        let workspace = try Workspace()
        for (format, gzip) in [
            ("csv", false), ("csv", true), ("xml", false), ("xml", true), ("jsonl", false), ("jsonl", true),
        ] {
            let folder = workspace.path("generated-\(format)-\(gzip)")
            let generated = try SecInfo.run(
                [
                    "generate", "--tenants", "7", "--users", "6000", "--seed", "16", "--changes", "900", "--format",
                    format, "--out", folder,
                ] + (gzip ? ["--gzip"] : []))
            try #require(generated.exitCode == 0, "\(generated.standardError)")
            let suffix = "." + format + (gzip ? ".gz" : "")
            try Self.expectSameBothWays(
                Case(
                    name: "generated\(suffix)", exports: "\(folder)/export\(suffix)",
                    // A Graph export's changes are CSV.
                    changes: "\(folder)/changes." + (format == "jsonl" ? "csv" : format) + (gzip ? ".gz" : ""),
                    arguments: ["--create-users"]),
                in: workspace)
        }
        let (exports, changes, policy) = try WorkerDeterminismTests.scenario(in: workspace)
        var scenarios = [("scenario-quoted", exports)]
        for copy in ["canonical.csv", "canonical.xml"] {
            let converted = try SecInfo.run(
                ["convert", "--from", "\(exports)/tenants.csv", "--to", workspace.path(copy)])
            try #require(converted.exitCode == 0, "\(converted.standardError)")
            scenarios.append((copy, workspace.path(copy)))
        }
        for (name, export) in scenarios {
            try Self.expectSameBothWays(
                Case(name: name, exports: export, changes: changes, policy: policy, arguments: ["--create-users"]),
                in: workspace)
        }
    }

    /// Valid exports that mix canonical users with users written otherwise: each of these odd spellings in one
    /// user among canonical ones.
    static let oddUsers: [(String, String)] = [
        ("quoted value", "t1,odd@t1.example,false,push,microsoftAuthenticator,m1,\"Phone, mine\"\n"),
        ("quoted plain value", "t1,odd@t1.example,false,none,fido2,f1,\"Key\"\n"),
        ("CRLF", "t1,odd@t1.example,false,none,fido2,f1,Key\r\n"),
        ("upper-case token", "t1,odd@t1.example,FALSE,PUSH,MicrosoftAuthenticator,m1,Phone\n"),
        ("token with spaces", "t1,odd@t1.example,false, push ,microsoftAuthenticator ,m1,Phone\n"),
        ("empty admin", "t1,odd@t1.example,,none,fido2,f1,Key\n"),
        ("non-ASCII value", "t1,odd@t1.example,false,none,fido2,f1,Clé de Zoë\n"),
        ("non-ASCII name", "t1,zoë@t1.example,false,none,fido2,f1,Key\n"),
        ("tab in a value", "t1,odd@t1.example,false,none,fido2,f1,Key\t2\n"),
        (
            "rows spelt in two cases",
            "t1,odd@t1.example,false,none,fido2,f1,Key\nt1,ODD@t1.example,false,none,email,,o@home.example\n"
        ),
        (
            "an empty-method row beside a method",
            "t1,odd@t1.example,false,none,,,\nt1,odd@t1.example,false,none,fido2,f1,Key\n"
        ),
        (
            "a blank line",
            "t1,odd@t1.example,false,none,fido2,f1,Key\n\nt1,odd@t1.example,false,none,email,,o@home.example\n"
        ),
        ("no line feed at the end", "t1,odd@t1.example,false,none,fido2,f1,Key"),
    ]

    /// Changes naming two of the canonical users among which the odd ones stand.
    static let oddChanges =
        "change_id,tenant,user,operation,method,method_id,value,expect\n"
        + "c1,t1,u3@t1.example,add,mobilePhone,,+1 4255550103,\n" + "c2,t1,u7@t1.example,add,email,,u7@home.example,\n"

    @Test("odd but valid users among canonical ones, one at a time and all together")
    func oddUsers() throws {
        let workspace = try Workspace()
        let canonical = (0..<50).map { "t1,u\($0)@t1.example,false,push,microsoftAuthenticator,m\($0),Phone \($0)\n" }
        let header = "tenant,user,admin,default_method,method,method_id,value\n"
        let changes = try workspace.write(Self.oddChanges + "c3,t1,ZOË@t1.example,delete,fido2,,,\n", to: "changes.csv")
        var all = header
        for (index, (name, odd)) in Self.oddUsers.enumerated() {
            let text = header + canonical[..<25].joined() + odd + (odd.hasSuffix("\n") ? canonical[25...].joined() : "")
            let export = try workspace.write(text, to: "odd-\(index).csv")
            try Self.expectSameBothWays(Case(name: "odd \(name)", exports: export, changes: changes), in: workspace)
            // Together: each odd user in a tenant of its own, after that tenant's canonical users.
            all += (canonical.joined() + odd + (odd.hasSuffix("\n") ? "" : "\n")).replacing(
                "t1,", with: "t\(index + 2),")
        }
        let export = try workspace.write(all, to: "odd-all.csv")
        try Self.expectSameBothWays(Case(name: "odd all", exports: export, changes: changes), in: workspace)
    }

    /// The same odd spellings in XML, laid out as the encoder lays a user out but for the one oddity.
    static let oddXMLUsers: [(String, String)] = [
        ("an entity in a value", method(#"<method type="fido2">K&amp;ey</method>"#)),
        ("a character reference", method(#"<method type="fido2">K&#101;y</method>"#)),
        ("a quote in a value", method(#"<method type="fido2">K"ey</method>"#)),
        ("an empty id", method(#"<method type="fido2" id="">K</method>"#)),
        ("id before type", method(#"<method id="f" type="fido2">K</method>"#)),
        ("upper-case method", method(#"<method type="FIDO2">K</method>"#)),
        ("CDATA", method(#"<method type="fido2"><![CDATA[K<1>]]></method>"#)),
        ("a comment inside", method(#"<method type="fido2">K<!-- c --></method>"#)),
        ("an empty value", method(#"<method type="fido2"></method>"#)),
        ("an empty method element", method(#"<method type="fido2"/>"#)),
        ("non-ASCII value", method(#"<method type="fido2">Clé</method>"#)),
        ("attributes in another order", #"    <user admin="false" upn="odd@t1.example" defaultMethod="none"/>\#n"#),
        ("no admin attribute", #"    <user upn="odd@t1.example" defaultMethod="none"/>\#n"#),
        ("single quotes", "    <user upn='odd@t1.example' admin='false' defaultMethod='none'/>\n"),
        ("upper-case token", #"    <user upn="odd@t1.example" admin="FALSE" defaultMethod="PUSH"/>\#n"#),
        ("an entity in the upn", #"    <user upn="odd&amp;@t1.example" admin="false" defaultMethod="none"/>\#n"#),
        ("a blank upn", #"    <user upn="  " admin="false" defaultMethod="none"/>\#n"#),
        (
            "an empty user element",
            #"    <user upn="odd@t1.example" admin="false" defaultMethod="none">\#n    </user>\#n"#
        ),
        ("non-ASCII upn", #"    <user upn="zoë@t1.example" admin="false" defaultMethod="none"/>\#n"#),
        ("a tab before", "\t<user upn=\"odd@t1.example\" admin=\"false\" defaultMethod=\"none\"/>\n"),
        ("CRLF", "    <user upn=\"odd@t1.example\" admin=\"false\" defaultMethod=\"none\"/>\r\n"),
        (
            "two on a line",
            #"    <user upn="odd@t1.example" admin="false" defaultMethod="none"/><user upn="odd2@t1.example" admin="false" defaultMethod="none"/>\#n"#
        ),
    ]

    /// A user `odd@t1.example` with one method element, written as given.
    static func method(_ element: String) -> String {
        #"    <user upn="odd@t1.example" admin="false" defaultMethod="none">\#n      \#(element)\#n    </user>\#n"#
    }

    @Test("odd but valid XML users among canonical ones, one at a time")
    func oddXMLUsers() throws {
        let workspace = try Workspace()
        let canonical = (0..<30).map {
            "    <user upn=\"u\($0)@t1.example\" admin=\"false\" defaultMethod=\"push\">\n"
                + "      <method type=\"microsoftAuthenticator\" id=\"m\($0)\">Phone \($0)</method>\n    </user>\n"
        }
        let changes = try workspace.write(Self.oddChanges, to: "changes.csv")
        for (index, (name, odd)) in Self.oddXMLUsers.enumerated() {
            let text =
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<securityInfoExport version=\"1\">\n  <tenant id=\"t1\">\n"
                + canonical[..<15].joined() + odd + canonical[15...].joined()
                + "  </tenant>\n</securityInfoExport>\n"
            let export = try workspace.write(text, to: "odd-\(index).xml")
            try Self.expectSameBothWays(Case(name: "odd xml \(name)", exports: export, changes: changes), in: workspace)
        }
    }

    /// Lines of a Graph export that are valid but not all plain: each is decoded, among lines kept as bytes.
    static let oddGraphLines: [(String, String)] = [
        ("an escape in the upn", ##"{"tenant":"t1","userPrincipalName":"odd\u0040t1.example","methods":[]}"##),
        (
            "an escape in a value",
            ##"{"tenant":"t1","userPrincipalName":"odd@t1.example","methods":[{"@odata.type":"#microsoft.graph.emailAuthenticationMethod","id":"e","emailAddress":"o\u0040home.example"}]}"##
        ),
        ("a non-ASCII upn", ##"{"tenant":"t1","userPrincipalName":"zoë@t1.example"}"##),
        (
            "a method outside the nine",
            ##"{"tenant":"t1","userPrincipalName":"odd@t1.example","methods":[{"@odata.type":"#microsoft.graph.windowsHelloForBusinessAuthenticationMethod","id":"w"}]}"##
        ),
        (
            "no type prefix, a hardware token, other members",
            ##"{"x":1,"userPrincipalName":"odd@t1.example","tenant":"t1","id":"00000000-0000-0000-0000-000000000001","methods":[{"@odata.type":"hardwareOathAuthenticationMethod","id":"h","device":{"serialNumber":"SER-1"}}],"securityQuestions":3}"##
        ),
        (
            "nulls and empties",
            ##"{"tenant":"t1","userPrincipalName":"odd@t1.example","isAdmin":null,"signInPreferences":{"userPreferredMethodForSecondaryAuthentication":""},"methods":[{"@odata.type":"#microsoft.graph.fido2AuthenticationMethod","id":"f","displayName":null}],"securityQuestions":0}"##
        ),
        (
            "phones of each type, a large count",
            ##"{"tenant":"t1","userPrincipalName":"odd@t1.example","isAdmin":true,"signInPreferences":{"userPreferredMethodForSecondaryAuthentication":"sms"},"methods":[{"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","phoneNumber":"+1 4255550100","phoneType":"mobile"},{"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","phoneNumber":"+1 2065550100","phoneType":"alternateMobile"},{"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","phoneNumber":"bad","phoneType":"office"}],"securityQuestions":12}"##
        ),
        ("a count not whole", ##"{"tenant":"t1","userPrincipalName":"odd@t1.example","securityQuestions":3.0}"##),
        ("space around the object", ##"  {"tenant":"t1","userPrincipalName":"odd@t1.example"}  "##),
        ("CRLF", "{\"tenant\":\"t1\",\"userPrincipalName\":\"odd@t1.example\"}\r"),
        ("a blank line", "\n"),
        ("an admin flag as text", ##"{"tenant":"t1","userPrincipalName":"odd@t1.example","isAdmin":"true"}"##),
        ("a repeated key", ##"{"tenant":"t1","userPrincipalName":"odd@t1.example","tenant":"t1"}"##),
    ]

    @Test("odd but valid (and some invalid) Graph lines among plain ones, one at a time")
    func oddGraphLines() throws {
        let workspace = try Workspace()
        let plain = (0..<30).map {
            ##"{"tenant":"t1","userPrincipalName":"u\##($0)@t1.example","isAdmin":false,"signInPreferences":{"userPreferredMethodForSecondaryAuthentication":"push"},"methods":[{"@odata.type":"#microsoft.graph.microsoftAuthenticatorAuthenticationMethod","id":"m\##($0)","displayName":"Phone \##($0)"}]}"##
                + "\n"
        }
        let changes = try workspace.write(Self.oddChanges, to: "changes.csv")
        for (index, (name, odd)) in Self.oddGraphLines.enumerated() {
            let text = plain[..<15].joined() + odd + "\n" + plain[15...].joined()
            let export = try workspace.write(text, to: "odd-\(index).jsonl")
            try Self.expectSameBothWays(
                Case(name: "odd graph \(name)", exports: export, changes: changes), in: workspace)
        }
        // The last line without its line feed.
        let export = try workspace.write(plain.joined().dropLast() + "", to: "no-line-feed.jsonl")
        try Self.expectSameBothWays(Case(name: "graph no line feed", exports: export, changes: changes), in: workspace)
    }

    @Test("XML laid out as the writer lays it out but refused: a tag past the byte scanner's limit, a bad tenant id")
    func canonicalButRefusedXML() throws {
        let workspace = try Workspace()
        func export(tenant: String, upn: String) -> String {
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<securityInfoExport version=\"1\">\n  <tenant id=\"t1\">\n"
                + "    <user upn=\"u1@t1.example\" admin=\"false\" defaultMethod=\"none\"/>\n  </tenant>\n"
                + "  <tenant id=\"\(tenant)\">\n    <user upn=\"\(upn)\" admin=\"false\" defaultMethod=\"none\"/>\n"
                + "  </tenant>\n</securityInfoExport>\n"
        }
        let changes = try workspace.write(Self.oddChanges, to: "changes.csv")
        for (name, text) in [
            ("long upn", export(tenant: "t2", upn: String(repeating: "a", count: 1 << 20) + "@t2.example")),
            ("bad tenant id", export(tenant: "-t2", upn: "u2@t2.example")),
        ] {
            let file = try workspace.write(text, to: "\(name).xml")
            try Self.expectSameBothWays(Case(name: name, exports: file, changes: changes), in: workspace)
            let run = try SecInfo.run(["validate", "--export", file, "--report", workspace.path("report-\(name)")])
            #expect(run.exitCode == 2, "\(name): \(run.standardError)")
        }
    }

    @Test("a user repeated past the users the run check keeps exactly (its Bloom filter, hashed on the workers)")
    func repeatPastTheExactUsers() throws {
        let workspace = try Workspace()
        var text = "tenant,user,admin,default_method,method,method_id,value\n"
        for index in 0..<70_000 { text += "t1,u\(index)@t1.example,false,none,fido2,f,Key\n" }
        // Met again in another case: the same user.
        let export = try workspace.write(text + "t1,U12@T1.example,false,none,fido2,f,Key\n", to: "repeat.csv")
        let changes = try workspace.write(
            "change_id,tenant,user,operation,method,method_id,value,expect\n", to: "c.csv")
        try Self.expectSameBothWays(Case(name: "repeat", exports: export, changes: changes), in: workspace)
        let run = try SecInfo.run(["validate", "--export", export, "--report", workspace.path("report-repeat")])
        #expect(run.exitCode == 2)
        #expect(run.standardError.contains("repeat.csv:70002:4:"), "\(run.standardError)")
        #expect(run.standardError.contains("began at line 14"), "\(run.standardError)")
    }

    @Test("broken and hostile files: the same error, nothing written either way")
    func brokenFiles() throws {
        let workspace = try Workspace()
        let changes = Fixtures.path(Fixtures.scenarioA, "changes-clean.csv")
        let files =
            try FileManager.default.contentsOfDirectory(atPath: Fixtures.broken.path).filter {
                $0.hasSuffix(".csv") && !$0.contains("change")
            }.map { Fixtures.path(Fixtures.broken, $0) }
            + FileManager.default.contentsOfDirectory(atPath: Fixtures.hostile.path).filter {
                ($0.hasSuffix(".csv.gz") || $0.hasSuffix(".xml")) && !$0.contains("change")
            }.map { Fixtures.path(Fixtures.hostile, $0) }
        #expect(files.count >= 18)
        for file in files.sorted() {
            // The bomb expands to 200 MB: a 2 MB limit keeps the (debug) runs quick.
            let testCase = Case(
                name: URL(fileURLWithPath: file).lastPathComponent, exports: file, changes: changes,
                common: ["--max-input-bytes", "2000000"])
            try Self.expectSameBothWays(testCase, in: workspace)
        }
    }
}
