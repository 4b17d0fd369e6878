import SecurityInfo
import Testing

@testable import SecurityInfoFormats

private func readPolicy(_ json: String, path: String = "policy.json") throws(InputError) -> PolicySet {
    try PolicyFile.read(path: path, bytes: Array(json.utf8))
}

@Suite("Policy file")
struct PolicyFileTests {
    @Test(
        "an empty object gives the built-in defaults for everyone",
        arguments: ["{}", "{\"defaults\": {}, \"tenants\": {}}"])
    func readsEmptyPolicy(json: String) throws {
        let policies = try readPolicy(json)
        #expect(policies.defaults == TenantPolicy())
        #expect(policies.tenants.isEmpty)
        #expect(policies.policy(for: "contoso") == TenantPolicy())
    }

    @Test("the built-in defaults are those of RULES.md section 4")
    func builtInDefaultsMatchRules() throws {
        let policy = try readPolicy("{}").defaults
        #expect(policy.enabledMethods == Set(PolicyMethod.allCases))
        #expect(policy.officePhoneAllowed == true)
        #expect(policy.ssprMethodsRequired == 1)
        #expect(policy.securityQuestionsRegisterCount == 3)
        #expect(policy.securityQuestionsResetCount == 3)
        #expect(policy.domains.isEmpty)
        #expect(policy.allowWorkEmail == false)
        #expect(policy.onDefaultDelete == .reassign)
        #expect(policy.maxDeletes == 500)
        #expect(policy.maxDeletePercent == nil)
    }

    @Test("the file's defaults override the built-in ones, and a tenant's fields override the defaults")
    func layersTenantOverDefaultsOverBuiltIns() throws {
        let json = """
            {
              "defaults": {"ssprMethodsRequired": 2, "maxDeletes": 50, "domains": ["Contoso.COM"],
                           "securityQuestions": {"registerCount": 5, "resetCount": 4}},
              "tenants": {
                "fabrikam": {"maxDeletes": 10, "enabledMethods": ["sms", "email"], "onDefaultDelete": "reject",
                             "securityQuestions": {"resetCount": 5}, "allowWorkEmail": true,
                             "officePhoneAllowed": false}
              }
            }
            """
        let policies = try readPolicy(json)

        var defaults = TenantPolicy()
        defaults.ssprMethodsRequired = 2
        defaults.maxDeletes = 50
        defaults.domains = ["contoso.com"]
        defaults.securityQuestionsRegisterCount = 5
        defaults.securityQuestionsResetCount = 4
        #expect(policies.defaults == defaults)

        var fabrikam = defaults
        fabrikam.maxDeletes = 10
        fabrikam.enabledMethods = [.sms, .email]
        fabrikam.onDefaultDelete = .reject
        fabrikam.securityQuestionsResetCount = 5
        fabrikam.allowWorkEmail = true
        fabrikam.officePhoneAllowed = false
        #expect(policies.tenants == ["fabrikam": fabrikam])
        #expect(policies.policy(for: "fabrikam") == fabrikam)
        #expect(policies.policy(for: "woodgrove") == defaults)
    }

    @Test("an explicit null maxDeletePercent in a tenant lifts the default's limit; leaving it out keeps it")
    func readsExplicitNullMaxDeletePercent() throws {
        let json = """
            {"defaults": {"maxDeletePercent": 20},
             "tenants": {"contoso": {"maxDeletePercent": null}, "fabrikam": {"maxDeletes": 3}}}
            """
        let policies = try readPolicy(json)
        #expect(policies.defaults.maxDeletePercent == 20)
        #expect(policies.policy(for: "contoso").maxDeletePercent == nil)
        #expect(policies.policy(for: "fabrikam").maxDeletePercent == 20)
        #expect(policies.policy(for: "fabrikam").maxDeletes == 3)
    }

    @Test("an explicit null maxDeletePercent in the defaults is no limit")
    func readsExplicitNullInDefaults() throws {
        #expect(try readPolicy("{\"defaults\": {\"maxDeletePercent\": null}}").defaults.maxDeletePercent == nil)
    }

    @Test(
        "an unknown field is an error naming its path",
        arguments: [
            ("{\"default\": {}}", "default"),
            ("{\"defaults\": {\"maxDelete\": 5}}", "defaults.maxDelete"),
            ("{\"tenants\": {\"contoso\": {\"enabledMethod\": []}}}", "tenants.contoso.enabledMethod"),
            (
                "{\"defaults\": {\"securityQuestions\": {\"registerCount\": 3, \"count\": 3}}}",
                "defaults.securityQuestions.count"
            ),
            (
                "{\"tenants\": {\"contoso\": {\"securityQuestions\": {\"resetcount\": 3}}}}",
                "tenants.contoso.securityQuestions.resetcount"
            ),
        ])
    func rejectsUnknownField(json: String, place: String) throws {
        let error = try #require(throws: InputError.self) { try readPolicy(json, path: "p.json") }
        #expect(error.file == "p.json")
        #expect(error.message.contains(place))
        #expect(error.message.contains("unknown field"))
    }

    @Test(
        "a value outside RULES.md's ranges is an error naming the field",
        arguments: [
            ("\"ssprMethodsRequired\": 3", "ssprMethodsRequired"),
            ("\"ssprMethodsRequired\": 0", "ssprMethodsRequired"),
            ("\"securityQuestions\": {\"registerCount\": 6}", "registerCount"),
            ("\"securityQuestions\": {\"registerCount\": 2, \"resetCount\": 2}", "registerCount"),
            ("\"securityQuestions\": {\"resetCount\": 6, \"registerCount\": 5}", "resetCount"),
            ("\"securityQuestions\": {\"registerCount\": 4, \"resetCount\": 5}", "resetCount"),
            ("\"maxDeletes\": -1", "maxDeletes"),
            ("\"maxDeletePercent\": 101", "maxDeletePercent"),
        ])
    func rejectsOutOfRangeDefault(field: String, name: String) throws {
        let error = try #require(throws: InputError.self) {
            try readPolicy("{\"defaults\": {\(field)}}", path: "p.json")
        }
        #expect(error.file == "p.json")
        #expect(error.message.contains("defaults"))
        #expect(error.message.contains(name))
    }

    @Test("a tenant's value outside the ranges is an error naming the tenant")
    func rejectsOutOfRangeTenant() throws {
        let json = "{\"tenants\": {\"fine\": {}, \"contoso\": {\"ssprMethodsRequired\": 3}}}"
        let error = try #require(throws: InputError.self) { try readPolicy(json) }
        #expect(error.message.contains("tenants.contoso"))
        #expect(error.message.contains("ssprMethodsRequired"))
    }

    @Test("a tenant's registerCount below the defaults' resetCount is an error: the layers are checked together")
    func rejectsResetAboveRegisterAcrossLayers() throws {
        let json = """
            {"defaults": {"securityQuestions": {"registerCount": 5, "resetCount": 5}},
             "tenants": {"contoso": {"securityQuestions": {"registerCount": 4}}}}
            """
        let error = try #require(throws: InputError.self) { try readPolicy(json) }
        #expect(error.message.contains("tenants.contoso"))
        #expect(error.message.contains("resetCount"))
    }

    @Test("an unknown enabledMethods entry is an error naming it")
    func rejectsUnknownEnabledMethod() throws {
        let json = "{\"tenants\": {\"contoso\": {\"enabledMethods\": [\"sms\", \"mobilePhone\"]}}}"
        let error = try #require(throws: InputError.self) { try readPolicy(json, path: "p.json") }
        #expect(error.file == "p.json")
        #expect(error.message.contains("tenants.contoso.enabledMethods"))
        #expect(error.message.contains("mobilePhone"))
    }

    @Test("an unknown onDefaultDelete value is an error")
    func rejectsUnknownDefaultDeleteAction() throws {
        let error = try #require(throws: InputError.self) {
            try readPolicy("{\"defaults\": {\"onDefaultDelete\": \"ignore\"}}")
        }
        #expect(error.message.contains("onDefaultDelete"))
    }

    @Test("a field of the wrong type is an error naming its path")
    func rejectsWrongType() throws {
        let error = try #require(throws: InputError.self) {
            try readPolicy("{\"defaults\": {\"maxDeletes\": \"ten\"}}")
        }
        #expect(error.message.contains("defaults.maxDeletes"))
    }

    @Test("a tenant key outside the tenant id grammar is an error", arguments: ["../../etc", ".hidden", ""])
    func rejectsBadTenantKey(tenant: String) throws {
        let error = try #require(throws: InputError.self) {
            try readPolicy("{\"tenants\": {\"\(tenant)\": {}}}", path: "p.json")
        }
        #expect(error.file == "p.json")
        #expect(error.message.contains("'\(tenant)'"))
    }

    @Test(
        "malformed JSON, or JSON that is not an object, is an error",
        arguments: ["", "{", "not json", "{\"defaults\": }", "{\"defaults\": {\"maxDeletes\": 5}", "[]", "42"])
    func rejectsMalformedJSON(json: String) throws {
        let error = try #require(throws: InputError.self) { try readPolicy(json, path: "broken.json") }
        #expect(error.file == "broken.json")
        #expect(!error.message.isEmpty)
    }

    @Test("the sample policy reads as its tenants say")
    func readsSamplePolicyShape() throws {
        let json = """
            {"defaults": {"maxDeletes": 500, "maxDeletePercent": 50},
             "tenants": {"contoso": {"domains": ["contoso.com"], "maxDeletePercent": null},
                         "woodgrove": {"officePhoneAllowed": false, "maxDeletes": 2}}}
            """
        let policies = try readPolicy(json)
        #expect(policies.defaults.maxDeletePercent == 50)
        #expect(policies.policy(for: "contoso").domains == ["contoso.com"])
        #expect(policies.policy(for: "contoso").maxDeletePercent == nil)
        #expect(policies.policy(for: "woodgrove").enables(.officePhone) == false)
        #expect(policies.policy(for: "woodgrove").maxDeletePercent == 50)
        #expect(policies.policy(for: "woodgrove").maxDeletes == 2)
    }
}
