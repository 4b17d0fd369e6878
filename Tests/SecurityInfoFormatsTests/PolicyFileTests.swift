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

    @Test(
        "every error names its line and column, and says what it found",
        arguments: [
            ("{\"defaults\": {\"maxDeletes\": 2.5}}", 1, 29, "expected a whole number, found 2.5"),
            ("{\"defaults\": {\"maxDeletes\": 123456789012345678901}}", 1, 29, "too large"),
            ("{\"defaults\": {\"maxDeletes\": 5,\n  \"maxDeletes\": 7}}", 2, 3, "given twice"),
            ("{\"tenants\": {\"c\": {}, \"c\": {\"maxDeletes\": 1}}}", 1, 23, "given twice"),
            ("{\"defaults\": {\"maxDeletes\": 5,}}", 1, 31, "no trailing comma"),
            ("{\"defaults\": {\"maxDeletes\": 05}}", 1, 30, "may not start with 0"),
            ("{\n  \"tenants\": {\n    \"c\": {\"ssprMethodsRequired\": 3}}}", 3, 34, "tenants.c: ssprMethodsRequired"),
            ("{\"defaults\": {\"domains\": [\"a\", 7]}}", 1, 32, "defaults.domains.1: expected a string"),
            ("{\"défaults\": {}}", 1, 2, "unknown field"),
            ("{\"defaults\": {\"maxDeletes\": 5}} x", 1, 33, "after the document"),
            ("{\"a\": \"\u{1}\"}", 1, 8, "control character"),
            (String(repeating: "[", count: 40), 1, 33, "nested deeper"),
        ])
    func placesErrors(json: String, line: Int, column: Int, words: String) throws {
        let error = try #require(throws: InputError.self) { try readPolicy(json, path: "p.json") }
        #expect(error.line == line && error.column == column, "\(error)")
        #expect(error.message.contains(words), "\(error)")
    }

    @Test("invalid UTF-8 is an error at its byte's place")
    func invalidUTF8() throws {
        let bytes = Array("{\n \"defaults\": {\"domains\": [\"a".utf8) + [0xC3, 0x28] + Array("\"]}}".utf8)
        let error = try #require(throws: InputError.self) { try PolicyFile.read(path: "p.json", bytes: bytes) }
        #expect(error.line == 2 && error.column == 29, "\(error)")
        #expect(error.message.contains("UTF-8"))
    }

    @Test("strings are decoded as JSON says: escapes, surrogate pairs, a BOM before the document")
    func decodesStrings() throws {
        let json = "\u{FEFF}{\"defaults\": {\"domains\": [\"a\\u00e9\\ud83d\\ude00\\n\\/b\", \"ü\"]}}"
        let policies = try readPolicy(json)
        #expect(policies.defaults.domains == ["aé😀\n/b", "ü"])
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
