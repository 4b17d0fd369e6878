public import SecurityInfo

/// Reads the policy file (SPEC.md): `{"defaults": {…}, "tenants": {"contoso": {…}}}` with the fields of RULES.md
/// section 4. Unknown fields, repeated keys, values of the wrong kind and values out of range are input errors at
/// their line and column, so a typo never passes silently.
public enum PolicyFile {
    /// Reads and checks the policy file at `path`.
    public static func read(path: String) throws(InputError) -> PolicySet {
        try read(path: path, bytes: try FileByteSource(path: path).readAll())
    }

    public static func read(path: String, bytes: [UInt8]) throws(InputError) -> PolicySet {
        let document = try JSONReader.read(bytes, path: path)
        let reader = Reader(document: document)
        let top = try reader.object(document.root, at: "the top level", allowed: ["defaults", "tenants"])
        var defaults = TenantPolicy()
        if let value = top["defaults"] {
            let members = try reader.object(value.value, at: "defaults", allowed: Reader.policyFields)
            defaults = try reader.overrides(members, at: "defaults").applied(to: defaults)
            try reader.check(defaults, members: members, at: "defaults", object: value.value)
        }
        var policies = PolicySet(defaults: defaults)
        if let value = top["tenants"] {
            guard case .object(let tenants) = value.value.kind else {
                throw reader.error(
                    at: value.value, "tenants: expected an object of tenants, found \(document.summary(value.value))")
            }
            for member in tenants {
                let (tenant, policyValue) = (member.key, member.value)
                guard TenantID.isValid(tenant) else {
                    throw document.error(
                        at: member.keyOffset,
                        "tenants: '\(ContactMask.echoed(tenant: tenant))' is not a valid tenant id")
                }
                let place = "tenants.\(tenant)"
                let members = try reader.object(policyValue, at: place, allowed: Reader.policyFields)
                let policy = try reader.overrides(members, at: place).applied(to: defaults)
                try reader.check(policy, members: members, at: place, object: policyValue)
                policies.tenants[tenant] = policy
            }
        }
        return policies
    }

    /// Turns JSON values into a policy's fields, each error at the value's place.
    private struct Reader {
        let document: JSONDocument
        static let policyFields = [
            "enabledMethods", "officePhoneAllowed", "ssprMethodsRequired", "securityQuestions", "domains",
            "allowWorkEmail", "onDefaultDelete", "maxDeletes", "maxDeletePercent",
        ]

        typealias Member = (value: JSONValue, keyOffset: Int)

        /// An object's members in the file's order (so the first error met is the first in the file).
        struct Members {
            var ordered: [(key: String, member: Member)] = []
            subscript(key: String) -> Member? { ordered.first { $0.key == key }?.member }
        }

        func error(at value: JSONValue, _ message: String) -> InputError {
            document.error(at: value.range.lowerBound, message)
        }

        /// An object's members by key; a key outside `allowed` is an error at the key.
        func object(_ value: JSONValue, at place: String, allowed: [String]) throws(InputError) -> Members {
            guard case .object(let members) = value.kind else {
                throw error(at: value, "\(place): expected an object, found \(document.summary(value))")
            }
            var byKey = Members()
            for member in members {
                let key = member.key
                guard allowed.contains(key) else {
                    let field = place == "the top level" ? key : "\(place).\(key)"
                    throw document.error(
                        at: member.keyOffset,
                        "\(ContactMask.echoed(identity: field)): unknown field (expected one of \(allowed.joined(separator: ", ")))"
                    )
                }
                byKey.ordered.append((key, (member.value, member.keyOffset)))
            }
            return byKey
        }

        func overrides(_ members: Members, at place: String) throws(InputError) -> TenantPolicyOverrides {
            var overrides = TenantPolicyOverrides()
            for (key, member) in members.ordered {
                let value = member.value
                let field = "\(place).\(key)"
                switch key {
                case "enabledMethods":
                    var enabled = Set<PolicyMethod>()
                    for (index, name) in try strings(value, at: field).enumerated() {
                        guard let method = PolicyMethod(rawValue: name.text) else {
                            throw error(
                                at: name.value,
                                "\(field).\(index): unknown method '\(ContactMask.echoed(name.text))' (expected \(PolicyMethod.allCases.map(\.rawValue).joined(separator: ", ")))"
                            )
                        }
                        enabled.insert(method)
                    }
                    overrides.enabledMethods = enabled
                case "officePhoneAllowed": overrides.officePhoneAllowed = try bool(value, at: field)
                case "ssprMethodsRequired": overrides.ssprMethodsRequired = try count(value, at: field)
                case "securityQuestions":
                    let questions = try object(value, at: field, allowed: ["registerCount", "resetCount"])
                    if let register = questions["registerCount"] {
                        overrides.securityQuestionsRegisterCount = try count(
                            register.value, at: "\(field).registerCount")
                    }
                    if let reset = questions["resetCount"] {
                        overrides.securityQuestionsResetCount = try count(reset.value, at: "\(field).resetCount")
                    }
                case "domains": overrides.domains = try strings(value, at: field).map(\.text)
                case "allowWorkEmail": overrides.allowWorkEmail = try bool(value, at: field)
                case "onDefaultDelete":
                    guard let text = document.string(value),
                        let action = TenantPolicy.DefaultDeleteAction(rawValue: text)
                    else {
                        throw error(
                            at: value, "\(field): expected \"reassign\" or \"reject\", found \(document.summary(value))"
                        )
                    }
                    overrides.onDefaultDelete = action
                case "maxDeletes": overrides.maxDeletes = try count(value, at: field)
                default:  // maxDeletePercent: a number, or null for no percentage limit
                    if case .null = value.kind {
                        overrides.maxDeletePercent = .some(nil)
                    } else {
                        guard case .number = value.kind, let percent = Double(document.text(value)), percent.isFinite
                        else {
                            throw error(
                                at: value, "\(field): expected a percentage or null, found \(document.summary(value))")
                        }
                        overrides.maxDeletePercent = .some(percent)
                    }
                }
            }
            return overrides
        }

        /// A whole number (`2.5`, `1e2` and numbers past Int's range are refused by name, not as bad JSON).
        func count(_ value: JSONValue, at field: String) throws(InputError) -> Int {
            guard case .number = value.kind else {
                throw error(at: value, "\(field): expected a whole number, found \(document.summary(value))")
            }
            let text = document.text(value)
            guard let count = Int(text) else {
                let isWhole = text.allSatisfy { $0.isNumber || $0 == "-" }
                throw error(
                    at: value,
                    "\(field): expected a whole number, found \(text)\(isWhole ? ", which is too large" : "")")
            }
            return count
        }

        func bool(_ value: JSONValue, at field: String) throws(InputError) -> Bool {
            guard case .bool(let flag) = value.kind else {
                throw error(at: value, "\(field): expected true or false, found \(document.summary(value))")
            }
            return flag
        }

        func strings(_ value: JSONValue, at field: String) throws(InputError) -> [(text: String, value: JSONValue)] {
            guard case .array(let elements) = value.kind else {
                throw error(at: value, "\(field): expected an array of strings, found \(document.summary(value))")
            }
            var strings: [(text: String, value: JSONValue)] = []
            for (index, element) in elements.enumerated() {
                guard let text = document.string(element) else {
                    throw error(at: element, "\(field).\(index): expected a string, found \(document.summary(element))")
                }
                strings.append((text, element))
            }
            return strings
        }

        /// RULES.md section 4's ranges, on the policy as layered; the error is placed at the field it names when
        /// this object sets it, else at the object.
        func check(_ policy: TenantPolicy, members: Members, at place: String, object: JSONValue)
            throws(InputError)
        {
            guard let problem = policy.problems.first else { return }
            let field = problem.prefix { $0 != " " }.split(separator: ".").map(String.init)
            var value = object
            if let first = field.first, let member = members[first] {
                value = member.value
                if field.count > 1, let nested = member.value[field[1]] { value = nested }
            }
            throw error(at: value, "\(place): \(problem)")
        }
    }
}
