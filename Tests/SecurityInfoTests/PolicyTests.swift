import Testing

@testable import SecurityInfo

/// RULES.md section 4: the tenant policy, its defaults, its ranges and its channels.
@Suite("RULES.md section 4: TenantPolicy")
struct PolicyTests {
    @Test("section 4: the built-in defaults")
    func defaults() {
        let policy = TenantPolicy()
        #expect(policy.enabledMethods == Set(PolicyMethod.allCases))
        #expect(policy.enabledMethods.count == 8)
        #expect(policy.officePhoneAllowed)
        #expect(policy.ssprMethodsRequired == 1)
        #expect(policy.securityQuestionsRegisterCount == 3 && policy.securityQuestionsResetCount == 3)
        #expect(policy.domains.isEmpty && !policy.allowWorkEmail)
        #expect(policy.onDefaultDelete == .reassign)
        #expect(policy.maxDeletes == 500 && policy.maxDeletePercent == nil)
        #expect(policy.problems.isEmpty)
        #expect(MethodKind.allCases.allSatisfy { policy.enables($0) })
        #expect(DefaultMethod.allCases.allSatisfy { policy.enables($0) })
    }

    @Test(
        "section 1: what each method serves, and how many a user may hold",
        arguments: [
            (MethodKind.microsoftAuthenticator, true, true, true), (.softwareOath, true, true, true),
            (.hardwareOath, true, true, true), (.mobilePhone, true, true, false),
            (.alternateMobilePhone, true, false, false), (.officePhone, true, true, false),
            (.email, false, true, false), (.securityQuestions, false, true, false), (.fido2, true, false, true),
        ])
    func methods(kind: MethodKind, mfa: Bool, sspr: Bool, many: Bool) {
        #expect(kind.servesMFA == mfa)
        #expect(kind.servesSSPR == sspr)
        #expect(kind.allowsManyInstances == many)
        #expect(kind.isAuthenticatorApp == [.microsoftAuthenticator, .softwareOath, .hardwareOath].contains(kind))
        #expect(kind.isPhone == [.mobilePhone, .alternateMobilePhone, .officePhone].contains(kind))
    }

    // MARK: problems

    @Test(
        "section 4: ssprMethodsRequired is 1 or 2",
        arguments: [(0, false), (1, true), (2, true), (3, false), (-1, false)])
    func ssprRange(required: Int, valid: Bool) {
        let policy = TenantPolicy.with { $0.ssprMethodsRequired = required }
        #expect(policy.problems.isEmpty == valid, "\(policy.problems)")
    }

    @Test(
        "section 4: registerCount and resetCount are 3–5 with reset ≤ register",
        arguments: [
            (3, 3, true), (5, 3, true), (5, 5, true), (4, 3, true), (2, 2, false), (6, 5, false), (5, 6, false),
            (3, 2, false), (3, 4, false), (4, 5, false),
        ])
    func securityQuestionsRange(register: Int, reset: Int, valid: Bool) {
        let policy = TenantPolicy.with {
            $0.securityQuestionsRegisterCount = register
            $0.securityQuestionsResetCount = reset
        }
        #expect(policy.problems.isEmpty == valid, "\(policy.problems)")
    }

    @Test("section 4: every problem is listed, each naming its field")
    func problemsNamed() {
        let policy = TenantPolicy.with {
            $0.ssprMethodsRequired = 3
            $0.securityQuestionsRegisterCount = 6
            $0.securityQuestionsResetCount = 7
        }
        let problems = policy.problems
        #expect(problems.count == 4)
        #expect(problems.contains { $0.contains("ssprMethodsRequired") })
        #expect(problems.contains { $0.contains("registerCount") })
        #expect(problems.contains { $0.contains("resetCount") })
    }

    @Test(
        "section 4: delete limits are not negative, a percentage is 0–100",
        arguments: [
            (500, nil, true), (0, 0.0, true), (-1, nil, false), (10, 100.0, true), (10, 100.5, false),
            (10, -1.0, false),
        ] as [(Int, Double?, Bool)])
    func deleteLimits(maxDeletes: Int, percent: Double?, valid: Bool) {
        let policy = TenantPolicy.with {
            $0.maxDeletes = maxDeletes
            $0.maxDeletePercent = percent
        }
        #expect(policy.problems.isEmpty == valid, "\(policy.problems)")
    }

    // MARK: channels

    @Test(
        "section 4: each method kind through its channel",
        arguments: [
            ([PolicyMethod.sms], true, [MethodKind.mobilePhone]),
            ([.voice], true, [.mobilePhone, .alternateMobilePhone, .officePhone]),
            ([.voice], false, [.mobilePhone, .alternateMobilePhone]),
            ([.sms, .voice], false, [.mobilePhone, .alternateMobilePhone]),
            ([], true, []),
            ([.microsoftAuthenticator, .email], true, [.microsoftAuthenticator, .email]),
            (
                [.softwareOath, .hardwareOath, .securityQuestions, .fido2], true,
                [.softwareOath, .hardwareOath, .securityQuestions, .fido2]
            ),
        ] as [([PolicyMethod], Bool, [MethodKind])])
    func enablesKinds(enabled: [PolicyMethod], officePhoneAllowed: Bool, expected: [MethodKind]) {
        let policy = TenantPolicy.with {
            $0.enabledMethods = Set(enabled)
            $0.officePhoneAllowed = officePhoneAllowed
        }
        let enabledKinds = MethodKind.allCases.filter { policy.enables($0) }
        #expect(enabledKinds == expected)
    }

    @Test(
        "section 4: each default through its channel",
        arguments: [
            ([PolicyMethod.sms], true, [DefaultMethod.sms, .none]),
            ([.voice], true, [.voiceMobile, .voiceAlternateMobile, .voiceOffice, .none]),
            ([.voice], false, [.voiceMobile, .voiceAlternateMobile, .none]),
            ([.microsoftAuthenticator], true, [.push, .oath, .none]),
            ([.hardwareOath], true, [.oath, .none]),
            ([.softwareOath], true, [.oath, .none]),
            ([.email, .securityQuestions, .fido2], true, [.none]),
        ] as [([PolicyMethod], Bool, [DefaultMethod])])
    func enablesDefaults(enabled: [PolicyMethod], officePhoneAllowed: Bool, expected: [DefaultMethod]) {
        let policy = TenantPolicy.with {
            $0.enabledMethods = Set(enabled)
            $0.officePhoneAllowed = officePhoneAllowed
        }
        let enabledDefaults = DefaultMethod.allCases.filter { policy.enables($0) }
        #expect(enabledDefaults == expected)
    }

    // MARK: work domains

    @Test("R-EMAIL-NOT-WORK: the work domains are the user's own and the tenant's")
    func workDomains() {
        let policy = TenantPolicy.with { $0.domains = ["fabrikam.com"] }
        #expect(policy.isWorkDomain("contoso.com", userDomain: "contoso.com"))
        #expect(policy.isWorkDomain("CONTOSO.com", userDomain: "contoso.com"))
        #expect(policy.isWorkDomain("fabrikam.com", userDomain: "contoso.com"))
        #expect(!policy.isWorkDomain("outlook.com", userDomain: "contoso.com"))
        #expect(!policy.isWorkDomain("notcontoso.com", userDomain: "contoso.com"))
        #expect(policy.isWorkDomain("mail.Contoso.com", userDomain: "contoso.com"))
        #expect(policy.isWorkDomain("eu.mail.fabrikam.com", userDomain: "contoso.com"))
        #expect(!policy.isWorkDomain("fabrikam.com.evil", userDomain: "contoso.com"))
        #expect(!policy.isWorkDomain("com", userDomain: "contoso.com"))
        #expect(!TenantPolicy().isWorkDomain("outlook.com", userDomain: ""))
        #expect(makeUser(name: "Alice@Contoso.COM").domain == "contoso.com")
    }

    // MARK: layering

    @Test("section 4: a tenant's fields override the defaults, which override the built-in ones")
    func layering() {
        var defaults = TenantPolicyOverrides()
        defaults.maxDeletes = 50
        defaults.ssprMethodsRequired = 2
        var tenant = TenantPolicyOverrides()
        tenant.maxDeletes = 10
        tenant.enabledMethods = [.sms]
        tenant.maxDeletePercent = .some(25)
        let base = defaults.applied(to: TenantPolicy())
        let policy = tenant.applied(to: base)
        #expect(base.maxDeletes == 50 && base.ssprMethodsRequired == 2 && base.enabledMethods.count == 8)
        #expect(policy.maxDeletes == 10 && policy.ssprMethodsRequired == 2 && policy.enabledMethods == [.sms])
        #expect(policy.maxDeletePercent == 25)
        #expect(policy.onDefaultDelete == .reassign)

        var clearing = TenantPolicyOverrides()
        clearing.maxDeletePercent = .some(nil)
        #expect(clearing.applied(to: policy).maxDeletePercent == nil, "an explicit null clears the percentage")
        #expect(TenantPolicyOverrides().applied(to: policy) == policy)

        let set = PolicySet(defaults: base, tenants: ["fabrikam": policy])
        #expect(set.policy(for: "fabrikam") == policy)
        #expect(set.policy(for: Fixture.tenant) == base)
    }
}
