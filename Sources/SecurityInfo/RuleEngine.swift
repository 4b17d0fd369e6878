/// The rules of RULES.md as one pure function: (a user's state, the tenant's policy, that user's changes in
/// order) → (the new state, one result per change). No file, clock or global: the dry run and the apply share
/// it, workers run it in parallel, and tests call it directly.
public enum RuleEngine {
    /// Evaluates one user's changes in file order, each against the state the earlier ones left.
    /// - Parameters:
    ///   - user: the user as the export holds it, or `nil` when the export has no such user.
    ///   - policy: the tenant's policy, or `nil` when the tenant is out of scope (R-TENANT-SCOPE).
    ///   - createUsers: `--create-users`: an `add` for an unknown user creates the user.
    public static func evaluate(
        user: User?, policy: TenantPolicy?, changes: [ChangeRequest], createUsers: Bool = false
    ) -> UserEvaluation {
        var state = user
        var results: [ChangeResult] = []
        results.reserveCapacity(changes.count)
        for change in changes {
            do {
                results.append(try evaluate(change, state: &state, policy: policy, createUsers: createUsers))
            } catch {
                results.append(ChangeResult(outcome: .rejected, rule: error.rule, message: error.message))
            }
        }
        return UserEvaluation(before: user, after: state, results: results)
    }

    /// A rule refusing a change.
    struct Refusal: Error {
        let rule: RuleID
        let message: String
        init(_ rule: RuleID, _ message: String) {
            self.rule = rule
            self.message = message
        }
    }

    /// What a well-formed change asks for, with its value parsed and normalised.
    enum Intent {
        case add(MethodInstance)
        case edit(MethodKind, newValue: String)
        case delete(MethodKind, methodID: String, value: String)
        case setDefault(DefaultMethod)
        case requireReregister
    }

    private static func evaluate(
        _ change: ChangeRequest, state: inout User?, policy: TenantPolicy?, createUsers: Bool
    ) throws(Refusal) -> ChangeResult {
        let operation = try checkInputRow(change)
        guard let policy else {
            throw Refusal(
                .tenantScope,
                "tenant '\(ContactMask.echoed(tenant: change.tenant))' is in no export or outside --tenant")
        }
        var user: User
        let creating: Bool
        if let existing = state {
            user = existing
            creating = false
        } else if operation == .add && createUsers {
            user = User(name: change.user)
            creating = true
        } else {
            throw Refusal(
                .userUnknown,
                "user is not in the tenant's export" + (operation == .add ? " (--create-users creates it)" : ""))
        }

        let intent = try checkRequest(change, operation: operation, user: user, policy: policy)
        if let unchanged = unchangedResult(of: intent, user: user) { return unchanged }
        try checkExpectation(change.expect.trimmingWhitespace, intent: intent, user: user)
        var result = try applyStateRules(intent, to: &user, policy: policy)
        result.createdUser = creating
        state = user
        return result
    }

    // MARK: Rules on the row alone

    /// R-INPUT-ROW: an unknown operation or method token, or no tenant or user.
    private static func checkInputRow(_ change: ChangeRequest) throws(Refusal) -> Operation {
        if change.tenant.trimmingWhitespace.isEmpty { throw Refusal(.inputRow, "the row names no tenant") }
        if change.user.trimmingWhitespace.isEmpty { throw Refusal(.inputRow, "the row names no user") }
        guard let operation = Operation(token: change.operation.trimmingWhitespace) else {
            throw Refusal(
                .inputRow,
                "unknown operation '\(ContactMask.echoed(change.operation))' (expected add, edit, delete, set-default or require-reregister)"
            )
        }
        // set-default ignores the method column; require-reregister may leave it empty (SPEC.md's example c3) but
        // may not name something that is no method.
        let method = change.method.trimmingWhitespace
        let methodIsRequired = operation.namesMethod
        let methodIsChecked = methodIsRequired || (operation == .requireReregister && !method.isEmpty)
        if methodIsChecked && MethodKind(token: method) == nil {
            throw Refusal(
                .inputRow,
                method.isEmpty
                    ? "\(operation.rawValue) needs a method" : "unknown method '\(ContactMask.echoed(change.method))'")
        }
        return operation
    }

    /// The rules that look at the change and the policy only, in RULES.md's order: R-ADD-USER-ONLY,
    /// R-EDIT-UNSUPPORTED, R-DEFAULT-MFA-ONLY, the value formats, R-POLICY-DISABLED.
    private static func checkRequest(
        _ change: ChangeRequest, operation: Operation, user: User, policy: TenantPolicy
    ) throws(Refusal) -> Intent {
        let value = String(change.value.trimmingWhitespace)
        let kind = MethodKind(token: change.method.trimmingWhitespace)
        switch operation {
        case .add:
            let kind = kind!
            guard kind.isAddableByAdmin else {
                throw Refusal(.addUserOnly, "\(kind.rawValue) is registered by the user; no admin can add it")
            }
            let normalised = try checkValue(value, of: kind, user: user, policy: policy)
            try checkPolicyEnables(kind, policy: policy)
            return .add(MethodInstance(kind: kind, id: String(change.methodID.trimmingWhitespace), value: normalised))
        case .edit:
            let kind = kind!
            guard kind.isEditableByAdmin else {
                throw Refusal(
                    .editUnsupported, "\(kind.rawValue) cannot be edited: delete it and let the user register again")
            }
            let normalised = try checkValue(value, of: kind, user: user, policy: policy)
            try checkPolicyEnables(kind, policy: policy)
            return .edit(kind, newValue: normalised)
        case .delete:
            return .delete(kind!, methodID: String(change.methodID.trimmingWhitespace), value: value)
        case .setDefault:
            guard let target = DefaultMethod(token: value), target != .none else {
                throw Refusal(
                    .defaultMFAOnly,
                    "'\(ContactMask.echoed(value))' cannot be the default: use push, oath, sms, voiceMobile, voiceAlternateMobile or voiceOffice"
                )
            }
            guard policy.enables(target) else {
                throw Refusal(.policyDisabled, "the tenant's policy does not enable the \(target.rawValue) channel")
            }
            return .setDefault(target)
        case .requireReregister:
            return .requireReregister
        }
    }

    /// R-PHONE-FORMAT, R-PHONE-EXT-OFFICE-ONLY, R-EMAIL-FORMAT, R-EMAIL-NOT-WORK, R-OATH-SERIAL.
    /// Returns the value as it will be stored.
    static func checkValue(_ value: String, of kind: MethodKind, user: User, policy: TenantPolicy) throws(Refusal)
        -> String
    {
        let number = try validateValue(value, of: kind, user: user, policy: policy)
        return number?.description ?? value
    }

    /// The checks of `checkValue`, without making the normalised text. Returns the parsed number of a phone kind.
    @discardableResult
    static func validateValue(_ value: String, of kind: MethodKind, user: User, policy: TenantPolicy)
        throws(Refusal) -> PhoneNumber?
    {
        var (value, name) = (value, user.name)
        // `withUTF8` rethrows untyped: the outcome comes out as a Result.
        let result = value.withUTF8 { value in
            name.withUTF8 { name in
                Result { () throws(Refusal) in try validateValue(utf8: value, of: kind, userName: name, policy: policy)
                }
            }
        }
        return try result.get()
    }

    /// The value checks over UTF-8, the one place they are made: the audit checks every value of every user from
    /// an export's bytes and keeps none. `userName`'s domain is the user's own, for R-EMAIL-NOT-WORK.
    @discardableResult
    static func validateValue(
        utf8 value: UnsafeBufferPointer<UInt8>, of kind: MethodKind, userName: UnsafeBufferPointer<UInt8>,
        policy: TenantPolicy
    ) throws(Refusal) -> PhoneNumber? {
        if kind.isPhone {
            let number: PhoneNumber
            do { number = try PhoneNumber(parsingUTF8: value) } catch {
                throw Refusal(.phoneFormat, "not a phone number: \(error)")
            }
            if number.phoneExtension != nil && kind != .officePhone {
                throw Refusal(.phoneExtensionOfficeOnly, "only an officePhone may carry an extension")
            }
            return number
        }
        switch kind {
        case .email:
            let isWork: Bool
            do {
                isWork = try EmailAddress.withDomain(parsingUTF8: value) { domain in
                    !policy.allowWorkEmail && policy.isWorkDomain(utf8: domain, userName: userName)
                }
            } catch {
                throw Refusal(.emailFormat, "not an email address: \(error)")
            }
            if isWork {
                throw Refusal(.emailNotWork, "the alternate email may not be a work address of the tenant")
            }
            return nil
        case .hardwareOath:
            guard isValidSerial(value) else {
                throw Refusal(.oathSerial, "a token serial is 1 to 64 of A-Z a-z 0-9 and -")
            }
            return nil
        default:
            return nil
        }
    }

    /// R-OATH-SERIAL's alphabet and length.
    static func isValidSerial(_ serial: some Collection<UInt8>) -> Bool {
        (1...64).contains(serial.count)
            && serial.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D
            }
    }

    /// R-POLICY-DISABLED for the method an `add` or `edit` names.
    private static func checkPolicyEnables(_ kind: MethodKind, policy: TenantPolicy) throws(Refusal) {
        guard policy.enables(kind) else {
            throw Refusal(.policyDisabled, "the tenant's policy does not enable \(kind.rawValue)")
        }
    }

    // MARK: Unchanged, before any check of the state

    /// A change that would leave the state as it is comes back `unchanged` before any other check of the state,
    /// so a batch re-run after a crash applies nothing twice.
    private static func unchangedResult(of intent: Intent, user: User) -> ChangeResult? {
        switch intent {
        case .add(let instance):
            guard
                let same = user.instances(of: instance.kind).first(where: {
                    sameValue($0.value, instance.value, instance.kind)
                })
            else { return nil }
            return ChangeResult(
                outcome: .unchanged, message: "already registered", before: [.method(same)], after: [.method(same)])
        case .edit(let kind, let newValue):
            guard let same = user.instances(of: kind).first(where: { sameValue($0.value, newValue, kind) }) else {
                return nil
            }
            return ChangeResult(
                outcome: .unchanged, message: "already that value", before: [.method(same)], after: [.method(same)])
        case .delete(let kind, let methodID, let value):
            guard selection(of: kind, methodID: methodID, value: value, in: user).isEmpty else { return nil }
            return ChangeResult(outcome: .unchanged, message: "no such method to delete")
        case .setDefault(let target):
            guard user.defaultMethod == target else { return nil }
            let fact = StateFact.defaultMethod(target)
            return ChangeResult(outcome: .unchanged, message: "already the default", before: [fact], after: [fact])
        case .requireReregister:
            guard reregisterRemovals(of: user).isEmpty && user.defaultMethod == .none else { return nil }
            return ChangeResult(outcome: .unchanged, message: "nothing to register again")
        }
    }

    // MARK: Rules on the state

    /// R-EXPECT-MISMATCH: `expect` is compared with the current value of what the change names.
    private static func checkExpectation(_ expect: Substring, intent: Intent, user: User) throws(Refusal) {
        guard !expect.isEmpty else { return }
        let expected = String(expect)
        let matches: Bool
        switch intent {
        case .add(let instance):
            let current = instance.kind.allowsManyInstances ? "" : user.instances(of: instance.kind).first?.value ?? ""
            matches = sameValue(current, expected, instance.kind)
        case .edit(let kind, _):
            matches = sameValue(user.instances(of: kind).first?.value ?? "", expected, kind)
        case .delete(let kind, let methodID, let value):
            matches = selection(of: kind, methodID: methodID, value: value, in: user).allSatisfy {
                sameValue($0.value, expected, kind)
            }
        case .setDefault, .requireReregister:
            matches = user.defaultMethod.rawValue.lowercased() == expected.lowercased()
        }
        if !matches { throw Refusal(.expectMismatch, "the current value is not the expected one: the file is stale") }
    }

    /// The remaining state rules in RULES.md's order, then the change itself.
    private static func applyStateRules(_ intent: Intent, to user: inout User, policy: TenantPolicy) throws(Refusal)
        -> ChangeResult
    {
        switch intent {
        case .add(let instance):
            let kind = instance.kind
            if kind.isPhone && user.has(kind) {
                throw Refusal(.phoneOnePerType, "the user already has another number as \(kind.rawValue): use edit")
            }
            if kind == .alternateMobilePhone && !user.has(.mobilePhone) {
                throw Refusal(.phoneAlternateRequiresMobile, "an alternateMobilePhone needs a mobilePhone first")
            }
            if kind == .email && user.has(.email) {
                throw Refusal(.emailOne, "the user already has another email: use edit")
            }
            if !instance.id.isEmpty, let holder = user.methods.first(where: { sameID($0.id, instance.id) }) {
                throw Refusal(.methodIDTaken, "the user's \(holder.kind.rawValue) already has this method_id")
            }
            if kind.isAuthenticatorApp && user.authenticatorAppCount >= 5 {
                throw Refusal(.authenticatorAppMax5, "the user already holds 5 authenticator apps and tokens")
            }
            user.methods.append(instance)
            return ChangeResult(
                outcome: .applied, message: "added \(kind.rawValue)", after: [.method(instance)], added: [kind])

        case .edit(let kind, let newValue):
            guard let index = user.methods.firstIndex(where: { $0.kind == kind }) else {
                throw Refusal(.methodMissing, "the user has no \(kind.rawValue) to edit")
            }
            let before = user.methods[index]
            user.methods[index].value = newValue
            return ChangeResult(
                outcome: .applied, message: "changed \(kind.rawValue)", before: [.method(before)],
                after: [.method(user.methods[index])])

        case .delete(let kind, let methodID, let value):
            if kind == .mobilePhone && user.has(.alternateMobilePhone) {
                throw Refusal(.phoneMobileWithAlternate, "delete the alternateMobilePhone first")
            }
            let removed = selection(of: kind, methodID: methodID, value: value, in: user)
            var after = user
            after.methods.removeAll { removed.contains($0) }
            var result = ChangeResult(
                outcome: .applied,
                message: "deleted \(removed.count == 1 ? "" : "\(removed.count) × ")\(kind.rawValue)",
                before: removed.map(StateFact.method), deleted: removed.map(\.kind))
            if try moveDefaultOnDelete(from: user, to: &after, policy: policy) {
                result.rule = .defaultDelete
                result.message +=
                    "; default moved from \(user.defaultMethod.rawValue) to \(after.defaultMethod.rawValue)"
                result.before.append(.defaultMethod(user.defaultMethod))
                result.after.append(.defaultMethod(after.defaultMethod))
            }
            user = after
            return result

        case .setDefault(let target):
            guard isBacked(target, in: user, policy: policy) else {
                throw Refusal(
                    .defaultBacking,
                    "\(target.rawValue) needs one of \(target.backingKinds.map(\.rawValue).joined(separator: ", ")), enabled"
                )
            }
            let before = user.defaultMethod
            user.defaultMethod = target
            return ChangeResult(
                outcome: .applied, message: "default set to \(target.rawValue)", before: [.defaultMethod(before)],
                after: [.defaultMethod(target)])

        case .requireReregister:
            let removed = reregisterRemovals(of: user)
            let before = user.defaultMethod
            user.methods.removeAll { removed.contains($0) }
            user.defaultMethod = .none
            return ChangeResult(
                outcome: .applied, message: "removed \(removed.count) methods; the user registers again",
                before: removed.map(StateFact.method) + [.defaultMethod(before)], after: [.defaultMethod(.none)],
                deleted: removed.map(\.kind))
        }
    }

    /// R-DEFAULT-DELETE: when a delete takes away what backs the default, reassign it or refuse, per policy.
    /// Returns whether the default moved.
    private static func moveDefaultOnDelete(from before: User, to after: inout User, policy: TenantPolicy)
        throws(Refusal) -> Bool
    {
        // Whether the delete takes the default's method counts what the user holds, whatever the tenant enables
        // (RULES.md: "removes the method behind the current default"); where the default goes counts enabled
        // methods only, as F-DEFAULT-INVALID does.
        let current = before.defaultMethod
        guard current != .none, holdsBacking(of: current, in: before), !holdsBacking(of: current, in: after)
        else { return false }
        switch policy.onDefaultDelete {
        case .reassign:
            after.defaultMethod = DefaultMethod.settable.first { isBacked($0, in: after, policy: policy) } ?? .none
        case .reject:
            if after.methods.contains(where: { $0.kind.servesMFA && policy.enables($0.kind) }) {
                throw Refusal(
                    .defaultDelete,
                    "this removes the method behind the default \(current.rawValue) while other MFA methods remain: set another default first"
                )
            }
            after.defaultMethod = .none
        }
        return true
    }

    // MARK: Helpers shared by the rules

    /// Whether the user holds a method that backs the default (R-DEFAULT-BACKING's table), enabled or not.
    static func holdsBacking(of defaultMethod: DefaultMethod, in user: User) -> Bool {
        defaultMethod == .none || user.methods.contains { defaultMethod.isBacked(by: $0.kind) }
    }

    /// Whether a default is backed by a method the user holds and the policy enables (R-DEFAULT-BACKING).
    public static func isBacked(_ defaultMethod: DefaultMethod, in user: User, policy: TenantPolicy) -> Bool {
        isBacked(defaultMethod, holds: user.has, policy: policy)
    }

    /// R-DEFAULT-BACKING over the kinds a user holds, however they are known (a `User`, a `UserSummary`).
    public static func isBacked(_ defaultMethod: DefaultMethod, holds: (MethodKind) -> Bool, policy: TenantPolicy)
        -> Bool
    {
        guard defaultMethod != .none else { return true }
        guard policy.enables(defaultMethod) else { return false }
        return MethodKind.allCases.contains { defaultMethod.isBacked(by: $0) && policy.enables($0) && holds($0) }
    }

    /// The instances a `delete` takes: for a many-instance method the one whose `method_id` matches, else the one
    /// whose value matches, else (when the row names neither) all of them. A row that names an instance the user
    /// does not hold selects nothing, so a re-run never widens a delete.
    static func selection(of kind: MethodKind, methodID: String, value: String, in user: User) -> [MethodInstance] {
        let instances = user.instances(of: kind)
        guard kind.allowsManyInstances else { return instances }
        if !methodID.isEmpty, let match = instances.first(where: { sameID($0.id, methodID) }) {
            return [match]
        }
        if !value.isEmpty, let match = instances.first(where: { sameValue($0.value, value, kind) }) {
            return [match]
        }
        return methodID.isEmpty && value.isEmpty ? instances : []
    }

    /// What `require-reregister` deletes: every phone, Microsoft Authenticator and software OATH instance.
    static func reregisterRemovals(of user: User) -> [MethodInstance] {
        user.methods.filter { $0.kind.isPhone || $0.kind == .microsoftAuthenticator || $0.kind == .softwareOath }
    }

    /// Method ids compare without regard to case, as tokens do (Graph's ids are GUIDs, which are not cased).
    static func sameID(_ lhs: String, _ rhs: String) -> Bool { lhs.lowercased() == rhs.lowercased() }

    /// Values compare as the user would expect: phone numbers after normalisation, everything else without
    /// regard to case.
    public static func sameValue(_ lhs: String, _ rhs: String, _ kind: MethodKind) -> Bool {
        if kind.isPhone, let left = try? PhoneNumber(parsing: lhs), let right = try? PhoneNumber(parsing: rhs) {
            return left == right
        }
        return lhs.trimmingWhitespace.lowercased() == rhs.trimmingWhitespace.lowercased()
    }
}

/// One user's evaluated batch.
public struct UserEvaluation: Sendable {
    /// The user as the export held it (`nil`: not in the export).
    public var before: User?
    /// The user after the applied changes (`nil`: still not there).
    public var after: User?
    /// One result per change, in the order given.
    public var results: [ChangeResult]

    /// Whether one of the changes created the user.
    public var createdUser: Bool { results.contains { $0.createdUser } }
}
