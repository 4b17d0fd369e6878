/// What a tenant's policy can enable (RULES.md section 4): method tokens, and the two phone channels.
public enum PolicyMethod: String, CaseIterable, Sendable, Hashable, Codable {
    case microsoftAuthenticator, softwareOath, hardwareOath, sms, voice, email, securityQuestions, fido2

    var bit: UInt16 {
        switch self {
        case .microsoftAuthenticator: 1 << 0
        case .softwareOath: 1 << 1
        case .hardwareOath: 1 << 2
        case .sms: 1 << 3
        case .voice: 1 << 4
        case .email: 1 << 5
        case .securityQuestions: 1 << 6
        case .fido2: 1 << 7
        }
    }

    static func bits(of methods: Set<PolicyMethod>) -> UInt16 { methods.reduce(0) { $0 | $1.bit } }
}

/// One tenant's policy, with the built-in defaults of RULES.md section 4.
public struct TenantPolicy: Sendable, Hashable {
    /// What R-DEFAULT-DELETE does when a delete removes the method behind the default.
    public enum DefaultDeleteAction: String, Sendable, Hashable, Codable {
        /// The delete applies and the default moves on, as the Security info page does.
        case reassign
        /// The delete is refused while another MFA method exists, as Graph does.
        case reject
    }

    public var enabledMethods: Set<PolicyMethod> {
        get { Set(PolicyMethod.allCases.filter(isEnabled)) }
        set { enabledBits = PolicyMethod.bits(of: newValue) }
    }
    /// `enabledMethods`, kept as bits: `enables` is asked of every method of every user the audit sees.
    private var enabledBits = PolicyMethod.bits(of: Set(PolicyMethod.allCases))
    public var officePhoneAllowed = true
    public var ssprMethodsRequired = 1
    public var securityQuestionsRegisterCount = 3
    public var securityQuestionsResetCount = 3
    /// The tenant's own mail domains, lower-cased: an alternate email there is a work address (R-EMAIL-NOT-WORK).
    public var domains: [String] = []
    public var allowWorkEmail = false
    public var onDefaultDelete = DefaultDeleteAction.reassign
    public var maxDeletes = 500
    public var maxDeletePercent: Double? = nil

    public init() {}

    /// Whether the policy enables a method kind, through its channel for the phones.
    public func enables(_ kind: MethodKind) -> Bool {
        switch kind {
        case .microsoftAuthenticator: isEnabled(.microsoftAuthenticator)
        case .softwareOath: isEnabled(.softwareOath)
        case .hardwareOath: isEnabled(.hardwareOath)
        case .mobilePhone: isEnabled(.sms) || isEnabled(.voice)
        case .alternateMobilePhone: isEnabled(.voice)
        case .officePhone: isEnabled(.voice) && officePhoneAllowed
        case .email: isEnabled(.email)
        case .securityQuestions: isEnabled(.securityQuestions)
        case .fido2: isEnabled(.fido2)
        }
    }

    /// Whether the policy enables the channel a default needs (`none` always is).
    public func enables(_ defaultMethod: DefaultMethod) -> Bool {
        switch defaultMethod {
        case .push: enables(.microsoftAuthenticator)
        case .oath: MethodKind.allCases.contains { defaultMethod.isBacked(by: $0) && enables($0) }
        case .sms: isEnabled(.sms)
        case .voiceMobile, .voiceAlternateMobile: isEnabled(.voice)
        case .voiceOffice: enables(.officePhone)
        case .none: true
        }
    }

    private func isEnabled(_ method: PolicyMethod) -> Bool { enabledBits & method.bit != 0 }

    /// Whether an address's domain is one of the tenant's or the user's own (subdomains included).
    public func isWorkDomain(_ domain: String, userDomain: String) -> Bool {
        var domain = domain.lowercased()
        return domain.withUTF8 { isWorkDomain(utf8: $0, ownDomain: userDomain.utf8) }
    }

    /// The same, with the domain as UTF-8 (its ASCII letters in either case: an export cell's bytes, or a lower-cased
    /// `EmailAddress.domain`) and the user's own domain taken from its name's UTF-8 (after the last `@`), as
    /// `User.domain`.
    func isWorkDomain(utf8 domain: UnsafeBufferPointer<UInt8>, userName: UnsafeBufferPointer<UInt8>) -> Bool {
        guard userName.allSatisfy({ $0 < 0x80 }) else {
            let own = User(name: String(decoding: userName, as: UTF8.self)).domain
            return isWorkDomain(utf8: domain, ownDomain: own.utf8)
        }
        let start = userName.lastIndex(of: UInt8(ascii: "@")).map { $0 + 1 } ?? userName.endIndex
        let own = UnsafeBufferPointer(rebasing: userName[start...])
        return isWorkDomain(utf8: domain, ownDomain: own.lazy.map(\.asciiLowercased))
    }

    private func isWorkDomain(utf8 domain: UnsafeBufferPointer<UInt8>, ownDomain: some Collection<UInt8>) -> Bool {
        // The same or a subdomain, compared as bytes: every address of every user of an export is checked.
        let domain = domain.lazy.map(\.asciiLowercased)
        func isOwn(_ own: some Collection<UInt8>) -> Bool {
            guard !own.isEmpty, domain.count >= own.count, domain.suffix(own.count).elementsEqual(own) else {
                return false
            }
            return domain.count == own.count || domain.dropLast(own.count).last == UInt8(ascii: ".")
        }
        return isOwn(ownDomain) || domains.contains { isOwn($0.utf8) }
    }

    /// What makes this policy unusable, as RULES.md section 4 bounds it; empty when it is valid.
    public var problems: [String] {
        var problems: [String] = []
        if ![1, 2].contains(ssprMethodsRequired) {
            problems.append("ssprMethodsRequired must be 1 or 2, not \(ssprMethodsRequired)")
        }
        if !(3...5).contains(securityQuestionsRegisterCount) {
            problems.append("securityQuestions.registerCount must be 3 to 5, not \(securityQuestionsRegisterCount)")
        }
        if !(3...5).contains(securityQuestionsResetCount) {
            problems.append("securityQuestions.resetCount must be 3 to 5, not \(securityQuestionsResetCount)")
        }
        if securityQuestionsResetCount > securityQuestionsRegisterCount {
            problems.append("securityQuestions.resetCount may not exceed registerCount")
        }
        if maxDeletes < 0 { problems.append("maxDeletes may not be negative") }
        if let percent = maxDeletePercent, !(0...100).contains(percent) {
            problems.append("maxDeletePercent must be 0 to 100")
        }
        return problems
    }
}

/// Fields a policy file sets for the defaults or one tenant; `nil` keeps what lies beneath.
public struct TenantPolicyOverrides: Sendable, Hashable {
    public var enabledMethods: Set<PolicyMethod>?
    public var officePhoneAllowed: Bool?
    public var ssprMethodsRequired: Int?
    public var securityQuestionsRegisterCount: Int?
    public var securityQuestionsResetCount: Int?
    public var domains: [String]?
    public var allowWorkEmail: Bool?
    public var onDefaultDelete: TenantPolicy.DefaultDeleteAction?
    public var maxDeletes: Int?
    /// `.some(nil)` is an explicit `null`: no percentage limit.
    public var maxDeletePercent: Double??

    public init() {}

    /// The policy with these fields laid over it.
    public func applied(to base: TenantPolicy) -> TenantPolicy {
        var policy = base
        if let enabledMethods { policy.enabledMethods = enabledMethods }
        if let officePhoneAllowed { policy.officePhoneAllowed = officePhoneAllowed }
        if let ssprMethodsRequired { policy.ssprMethodsRequired = ssprMethodsRequired }
        if let securityQuestionsRegisterCount { policy.securityQuestionsRegisterCount = securityQuestionsRegisterCount }
        if let securityQuestionsResetCount { policy.securityQuestionsResetCount = securityQuestionsResetCount }
        if let domains { policy.domains = domains.map { $0.lowercased() } }
        if let allowWorkEmail { policy.allowWorkEmail = allowWorkEmail }
        if let onDefaultDelete { policy.onDefaultDelete = onDefaultDelete }
        if let maxDeletes { policy.maxDeletes = maxDeletes }
        if let maxDeletePercent { policy.maxDeletePercent = maxDeletePercent }
        return policy
    }
}

/// The policies of a run: built-in defaults, overridden by the file's defaults, overridden per tenant.
public struct PolicySet: Sendable {
    public var defaults: TenantPolicy
    public var tenants: [String: TenantPolicy]

    public init(defaults: TenantPolicy = TenantPolicy(), tenants: [String: TenantPolicy] = [:]) {
        self.defaults = defaults
        self.tenants = tenants
    }

    public func policy(for tenant: String) -> TenantPolicy { tenants[tenant] ?? defaults }
}
