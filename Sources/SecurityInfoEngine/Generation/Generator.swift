import Foundation
import SecurityInfo
public import SecurityInfoFormats

/// `secinfo generate`: deterministic, realistic exports and change files for tests and benchmarks.
///
/// Each user is a pure function of (seed, tenant, index), so the change file can be made from what users hold
/// without keeping the export in memory, and the same arguments give the same bytes. The mix follows what the
/// product sees: most users have the Authenticator app and a mobile phone, some an email or security questions, a
/// few are admins or hold hardware tokens, some have nothing. Changes use every operation, with a share that the
/// rules refuse (stale `expect`, work addresses, unknown users, defaults that cannot be).
public enum Generator {
    public struct Configuration: Sendable {
        public var tenants: Int
        public var users: Int
        public var seed: UInt64 = 1
        public var format = FileFormat.csv
        public var gzip = false
        /// `nil`: 1 % of the users.
        public var changes: Int?
        public var outputDirectory: String

        public init(tenants: Int, users: Int, outputDirectory: String) {
            self.tenants = tenants
            self.users = users
            self.outputDirectory = outputDirectory
        }
    }

    public struct Result: Sendable {
        public var export: String
        public var changes: String
        public var users: Int
        public var changeCount: Int
    }

    public static func run(_ configuration: Configuration) throws(BatchError) -> Result {
        guard configuration.tenants >= 1, configuration.users >= configuration.tenants else {
            throw .usage("generate needs --tenants of at least 1 and at least as many --users")
        }
        try InputDiscovery.makeFolder(configuration.outputDirectory)
        let suffix = configuration.format.rawValue + (configuration.gzip ? ".gz" : "")
        let description = FileDescription(format: configuration.format, isCompressed: configuration.gzip)
        // A change file is CSV or XML: with a Graph export, CSV.
        var changesDescription = description
        if description.format == .jsonl { changesDescription.format = .csv }
        let changesSuffix = changesDescription.format.rawValue + (configuration.gzip ? ".gz" : "")
        let exportPath = (configuration.outputDirectory as NSString).appendingPathComponent("export.\(suffix)")
        let changesPath = (configuration.outputDirectory as NSString).appendingPathComponent("changes.\(changesSuffix)")
        let population = Population(configuration: configuration)
        do throws(OutputError) {
            let sink = try AtomicFileSink(path: exportPath)
            var writer = try FormatRegistry.exportWriter(description, path: exportPath, sink: sink)
            for tenant in 0..<configuration.tenants {
                for index in 0..<population.usersPerTenant(tenant) {
                    try writer.write(
                        ExportRecord(
                            tenant: population.tenantID(tenant), user: population.user(tenant: tenant, index: index),
                            line: 0, rowCount: 0))
                }
            }
            try writer.finish()
            try sink.commit()

            let count = configuration.changes ?? max(1, configuration.users / 100)
            let rows = population.changes(count: count)
            let changesSink = try AtomicFileSink(path: changesPath)
            try FormatRegistry.writeChangeFile(
                ChangeFile(path: changesPath, rows: rows), changesDescription, path: changesPath, sink: changesSink)
            try changesSink.commit()
            return Result(export: exportPath, changes: changesPath, users: configuration.users, changeCount: count)
        } catch { throw .output(error) }
    }

    /// The generated users, each computed from its tenant and index.
    struct Population {
        let configuration: Configuration

        func tenantID(_ tenant: Int) -> String { String(format: "tenant%03d", tenant) }

        func domain(_ tenant: Int) -> String { "\(tenantID(tenant)).example" }

        func usersPerTenant(_ tenant: Int) -> Int {
            configuration.users / configuration.tenants + (tenant < configuration.users % configuration.tenants ? 1 : 0)
        }

        func userName(tenant: Int, index: Int) -> String { "user\(index)@\(domain(tenant))" }

        func random(tenant: Int, index: Int, salt: UInt64 = 0) -> SeededGenerator {
            SeededGenerator(seed: configuration.seed &* 0x9E37_79B9 ^ UInt64(tenant) << 40 ^ UInt64(index) &+ salt)
        }

        func user(tenant: Int, index: Int) -> User {
            var random = random(tenant: tenant, index: index)
            var user = User(name: userName(tenant: tenant, index: index))
            user.isAdmin = random.chance(0.02)
            guard !random.chance(0.04) else { return user }  // registered nothing yet
            let number = 1_000_000 + (tenant * 7_919 + index) % 8_999_999
            if random.chance(0.85) {
                user.methods.append(
                    .init(kind: .microsoftAuthenticator, id: "ma\(index)", value: "Phone of user\(index)"))
            }
            if random.chance(0.8) { user.methods.append(.init(kind: .mobilePhone, value: "+1 425\(number)")) }
            if user.has(.mobilePhone) && random.chance(0.05) {
                user.methods.append(.init(kind: .alternateMobilePhone, value: "+1 206\(number)"))
            }
            if random.chance(0.1) {
                user.methods.append(.init(kind: .officePhone, value: "+1 212\(number)x\(index % 900 + 100)"))
            }
            if random.chance(0.3) {
                user.methods.append(.init(kind: .email, value: "user\(index).\(tenant)@outlook.example"))
            }
            if random.chance(0.2) {
                user.methods.append(.init(kind: .securityQuestions, value: "\(3 + Int(random.next() % 3))"))
            }
            if random.chance(0.03) {
                user.methods.append(.init(kind: .hardwareOath, id: "hw\(index)", value: "HW-\(tenant)-\(index)"))
            }
            if random.chance(0.02) { user.methods.append(.init(kind: .fido2, id: "fk\(index)", value: "Security key")) }
            if random.chance(0.05) { user.methods.append(.init(kind: .softwareOath, id: "so\(index)", value: "Authy")) }
            user.defaultMethod =
                user.has(.microsoftAuthenticator)
                ? .push : user.has(.mobilePhone) ? .sms : user.has(.hardwareOath) ? .oath : .none
            return user
        }

        /// Changes on random users, every operation, about a fifth of them refused by some rule.
        func changes(count: Int) -> [ChangeRow] {
            var random = SeededGenerator(seed: configuration.seed ^ 0xC0FF_EE00)
            var rows: [ChangeRow] = []
            rows.reserveCapacity(count)
            for number in 0..<count {
                let tenant = Int(random.next() % UInt64(configuration.tenants))
                let index = Int(random.next() % UInt64(usersPerTenant(tenant)))
                var name = userName(tenant: tenant, index: index)
                let user = self.user(tenant: tenant, index: index)
                let mobile = user.instances(of: .mobilePhone).first?.value ?? ""
                var (operation, method, value, expect) = ("", "", "", "")
                switch random.next() % 100 {
                case 0..<30:
                    (operation, method, value) = (
                        "edit", "mobilePhone", "+1 (303) 555-\(String(format: "%04d", number % 10_000))"
                    )
                    // Most carry the current value as their precondition; a few are stale.
                    expect = random.chance(0.9) ? mobile : "+1 4250000000"
                case 30..<45:
                    (operation, method) = ("add", "email")
                    value = random.chance(0.8) ? "u\(number)@mail.example" : "user\(index)@\(domain(tenant))"
                case 45..<55: (operation, method) = ("delete", random.chance(0.7) ? "email" : "hardwareOath")
                case 55..<70:
                    operation = "set-default"
                    value = ["push", "oath", "sms", "voiceMobile", "email"][Int(random.next() % 5)]
                case 70..<80:
                    (operation, method, value) = (
                        "add", "alternateMobilePhone", "+1 720555\(String(format: "%04d", number % 10_000))"
                    )
                case 80..<85: operation = "require-reregister"
                case 85..<92: (operation, method, value) = ("add", "hardwareOath", "TOKEN-\(number)")
                case 92..<96: (operation, method) = ("delete", "microsoftAuthenticator")
                default:
                    (operation, method, value) = (
                        "add", "mobilePhone", "+1 913555\(String(format: "%04d", number % 10_000))"
                    )
                    name = "newuser\(number)@\(domain(tenant))"
                }
                let request = ChangeRequest(
                    line: 0, changeID: "g\(number)", tenant: tenantID(tenant), user: name, operation: operation,
                    method: method, value: value, expect: expect)
                rows.append(
                    ChangeRow(
                        request: request,
                        fields: ["g\(number)", tenantID(tenant), name, operation, method, "", value, expect]))
            }
            return rows
        }
    }
}
