import FoundationEssentials
public import SecurityInfo

/// Reads the policy file (SPEC.md): `{"defaults": {…}, "tenants": {"contoso": {…}}}` with the fields of RULES.md
/// section 4. Unknown fields and values out of range are input errors, so a typo never passes silently.
public enum PolicyFile {
    /// Reads and checks the policy file at `path`.
    public static func read(path: String) throws(InputError) -> PolicySet {
        try read(path: path, bytes: try FileByteSource(path: path).readAll())
    }

    public static func read(path: String, bytes: [UInt8]) throws(InputError) -> PolicySet {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw InputError(file: path, describe(error))
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(file: path, "not a policy file: \(error)")
        }
        let defaults = (document.defaults ?? TenantPolicyOverrides()).applied(to: TenantPolicy())
        var policies = PolicySet(defaults: defaults)
        try check(defaults, at: "defaults", path: path)
        for (tenant, overrides) in document.tenants ?? [:] {
            guard TenantID.isValid(tenant) else {
                throw InputError(
                    file: path, "tenants: '\(ContactMask.echoed(tenant: tenant))' is not a valid tenant id")
            }
            let policy = overrides.applied(to: defaults)
            try check(policy, at: "tenants.\(tenant)", path: path)
            policies.tenants[tenant] = policy
        }
        return policies
    }

    private static func check(_ policy: TenantPolicy, at place: String, path: String) throws(InputError) {
        if let problem = policy.problems.first { throw InputError(file: path, "\(place): \(problem)") }
    }

    private static func describe(_ error: DecodingError) -> String {
        func place(_ path: [any CodingKey]) -> String {
            path.isEmpty
                ? "the top level" : path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context):
            return "\(place(context.codingPath)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            return "\(place(context.codingPath)): \(context.debugDescription)\(underlying)"
        @unknown default:
            return "\(error)"
        }
    }

    private struct Document: Decodable {
        var defaults: TenantPolicyOverrides?
        var tenants: [String: TenantPolicyOverrides]?

        enum CodingKeys: String, CodingKey, CaseIterable { case defaults, tenants }

        init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            defaults = try container.decodeIfPresent(TenantPolicyOverrides.self, forKey: .defaults)
            tenants = try container.decodeIfPresent([String: TenantPolicyOverrides].self, forKey: .tenants)
        }
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private func rejectUnknownKeys(in decoder: any Decoder, allowed: [String]) throws {
    let container = try decoder.container(keyedBy: AnyKey.self)
    for key in container.allKeys where !allowed.contains(key.stringValue) {
        throw DecodingError.dataCorrupted(
            .init(
                codingPath: decoder.codingPath + [key],
                debugDescription: "unknown field (expected one of \(allowed.joined(separator: ", ")))"))
    }
}

extension TenantPolicyOverrides: Decodable {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case enabledMethods, officePhoneAllowed, ssprMethodsRequired, securityQuestions, domains, allowWorkEmail
        case onDefaultDelete, maxDeletes, maxDeletePercent
    }

    private struct SecurityQuestions: Decodable {
        var registerCount: Int?
        var resetCount: Int?
        enum CodingKeys: String, CodingKey, CaseIterable { case registerCount, resetCount }
        init(from decoder: any Decoder) throws {
            try rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            registerCount = try container.decodeIfPresent(Int.self, forKey: .registerCount)
            resetCount = try container.decodeIfPresent(Int.self, forKey: .resetCount)
        }
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(in: decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        if let methods = try container.decodeIfPresent([String].self, forKey: .enabledMethods) {
            var enabled = Set<PolicyMethod>()
            for (index, name) in methods.enumerated() {
                guard let method = PolicyMethod(rawValue: name) else {
                    throw DecodingError.dataCorrupted(
                        .init(
                            codingPath: container.codingPath + [
                                CodingKeys.enabledMethods, AnyKey(stringValue: "\(index)"),
                            ],
                            debugDescription:
                                "unknown method '\(ContactMask.echoed(name))' (expected \(PolicyMethod.allCases.map(\.rawValue).joined(separator: ", ")))"
                        ))
                }
                enabled.insert(method)
            }
            enabledMethods = enabled
        }
        officePhoneAllowed = try container.decodeIfPresent(Bool.self, forKey: .officePhoneAllowed)
        ssprMethodsRequired = try container.decodeIfPresent(Int.self, forKey: .ssprMethodsRequired)
        if let questions = try container.decodeIfPresent(SecurityQuestions.self, forKey: .securityQuestions) {
            securityQuestionsRegisterCount = questions.registerCount
            securityQuestionsResetCount = questions.resetCount
        }
        domains = try container.decodeIfPresent([String].self, forKey: .domains)
        allowWorkEmail = try container.decodeIfPresent(Bool.self, forKey: .allowWorkEmail)
        onDefaultDelete = try container.decodeIfPresent(TenantPolicy.DefaultDeleteAction.self, forKey: .onDefaultDelete)
        maxDeletes = try container.decodeIfPresent(Int.self, forKey: .maxDeletes)
        if container.contains(.maxDeletePercent) {
            maxDeletePercent = .some(
                try container.decodeNil(forKey: .maxDeletePercent)
                    ? nil : try container.decode(Double.self, forKey: .maxDeletePercent))
        }
    }
}
