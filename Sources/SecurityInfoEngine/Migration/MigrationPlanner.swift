import SecurityInfo
import SecurityInfoFormats

extension Migration {
    /// Matches source users to target users and plans each pair's changes.
    struct Planner {
        let sourceTenant: String
        let targetTenant: String
        let targetUsers: [User]
        let policy: TenantPolicy
        let configuration: Configuration
        let userMap: UserMap?

        /// The kinds an admin can move by `add` and `edit`, in the order they must be added: a mobile phone before
        /// the alternate that needs it.
        static let movable = MethodKind.allCases.filter(\.isEditableByAdmin)
        /// What only the user can register (R-ADD-USER-ONLY).
        static let userOnly = MethodKind.allCases.filter { !$0.isAddableByAdmin }

        mutating func plan(sourceUsers: [User]) -> ([UserOutcome], [ChangeRow]) {
            let targets = Dictionary(targetUsers.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            let names = sourceUsers.map { targetName(for: $0) }
            var claims: [String: [String]] = [:]
            for (source, name) in zip(sourceUsers, names) { claims[name.lowercased(), default: []].append(source.name) }

            var outcomes: [UserOutcome] = []
            var rows: [ChangeRow] = []
            for (source, name) in zip(sourceUsers, names) {
                if userMap?.ambiguous.contains(source.key) == true {
                    outcomes.append(
                        notMigrated(source, name, "the user map names more than one target user: not guessed"))
                } else if let claimants = claims[name.lowercased()], claimants.count > 1 {
                    outcomes.append(
                        notMigrated(
                            source, name,
                            "\(claimants.count) source users map to this target user (\(claimants.joined(separator: ", "))): not guessed"
                        ))
                } else if let target = targets[name.lowercased()] {
                    let (outcome, planned) = planUser(source, target: target, targetName: target.name)
                    outcomes.append(outcome)
                    rows += planned
                } else if configuration.createUsers {
                    let (outcome, planned) = planUser(source, target: nil, targetName: name)
                    outcomes.append(outcome)
                    rows += planned
                } else {
                    outcomes.append(notMigrated(source, name, "no such user in the target (--create-users creates it)"))
                }
            }
            return (outcomes, rows)
        }

        /// The user map's target, else the UPN with its domain mapped.
        func targetName(for source: User) -> String {
            if let mapped = userMap?.targets[source.key] { return mapped }
            guard let at = source.name.lastIndex(of: "@") else { return source.name }
            let domain = source.name[source.name.index(after: at)...].lowercased()
            guard let newDomain = configuration.domainMap[domain] else { return source.name }
            return source.name[..<at] + "@" + newDomain
        }

        private func notMigrated(_ source: User, _ target: String, _ reason: String) -> UserOutcome {
            UserOutcome(
                sourceUser: source.name, targetUser: target, status: .notAtAll, moved: [], mustReregister: [],
                blocked: [], reason: reason)
        }

        /// The changes for one pair, each kept only if the rule engine applies it to the state the kept ones left.
        func planUser(_ source: User, target: User?, targetName: String) -> (UserOutcome, [ChangeRow]) {
            var plan = UserPlan(planner: self, state: target, targetName: targetName)
            plan.moveMovableMethods(of: source)
            plan.moveHardwareTokens(of: source)
            let mustReregister = plan.listUserOnlyMethods(of: source)
            let defaultProblem = plan.moveDefault(of: source)
            return (
                plan.outcome(source, target: target, mustReregister: mustReregister, defaultProblem: defaultProblem),
                plan.rows
            )
        }

        /// One pair's plan as it grows: the target user's state after the changes kept, the changes, and what moved
        /// or was blocked.
        struct UserPlan {
            let planner: Planner
            var state: User?
            let targetName: String
            var rows: [ChangeRow] = []
            var moved: [String] = []
            var blocked: [String] = []

            /// Runs one change through the rule engine against the state so far; kept when it applies.
            @discardableResult
            mutating func attempt(
                _ operation: Operation, _ kind: MethodKind?, value: String, methodID: String = "", expect: String = ""
            ) -> ChangeResult {
                let what = kind?.rawValue ?? "default"
                var id = "\(targetName)/\(what)/\(operation.rawValue)"
                if kind == .hardwareOath || operation == .setDefault { id += "/\(value)" }
                let tenant = planner.targetTenant
                let request = ChangeRequest(
                    line: 0, changeID: id, tenant: tenant, user: targetName, operation: operation.rawValue,
                    method: kind?.rawValue ?? "", methodID: methodID, value: value, expect: expect)
                let evaluation = RuleEngine.evaluate(
                    user: state, policy: planner.policy, changes: [request],
                    createUsers: planner.configuration.createUsers)
                let result = evaluation.results[0]
                if result.outcome == .applied {
                    state = evaluation.after
                    let fields = [id, tenant, targetName, operation.rawValue, request.method, methodID, value, expect]
                    rows.append(ChangeRow(request: request, fields: fields))
                    moved.append("\(what) (\(operation.rawValue))")
                } else if result.outcome == .rejected {
                    blocked.append("\(what): \(Planner.why(result))")
                }
                return result
            }

            /// Phones and email: an `add` where the target lacks the method, an `edit` where its value differs.
            mutating func moveMovableMethods(of source: User) {
                for kind in Planner.movable {
                    guard let wanted = source.instances(of: kind).first else { continue }
                    if let current = state?.instances(of: kind).first {
                        if RuleEngine.sameValue(current.value, wanted.value, kind) { continue }
                        attempt(.edit, kind, value: wanted.value, expect: current.value)
                    } else {
                        attempt(.add, kind, value: wanted.value)
                    }
                }
            }

            /// Hardware tokens the target does not hold yet, by serial.
            mutating func moveHardwareTokens(of source: User) {
                for token in source.instances(of: .hardwareOath)
                where state?.instances(of: .hardwareOath).contains(where: {
                    RuleEngine.sameValue($0.value, token.value, .hardwareOath)
                }) != true {
                    attempt(.add, .hardwareOath, value: token.value, methodID: token.id)
                }
            }

            /// What the user must register again (enabled in the target) or cannot have there; the rest is blocked.
            mutating func listUserOnlyMethods(of source: User) -> [String] {
                var mustReregister: [String] = []
                for method in source.methods where Planner.userOnly.contains(method.kind) {
                    let held = state?.instances(of: method.kind).contains {
                        RuleEngine.sameValue($0.value, method.value, method.kind)
                    }
                    if held == true { continue }
                    let name = "\(method.kind.rawValue) “\(method.value)”"
                    if planner.policy.enables(method.kind) {
                        mustReregister.append(name)
                    } else {
                        blocked.append("\(name): blocked by policy (not enabled in the target)")
                    }
                }
                return mustReregister
            }

            /// The source's default, set last, when what backs it moved; otherwise why it cannot move.
            mutating func moveDefault(of source: User) -> String? {
                let wanted = source.defaultMethod
                guard wanted != .none && state?.defaultMethod != wanted else { return nil }
                guard state != nil else {
                    return "default \(wanted.rawValue) cannot move: no method moved to create the user"
                }
                let result = attempt(.setDefault, nil, value: wanted.rawValue)
                guard result.outcome == .rejected else { return nil }
                // Said once, as the default's problem, not also among the blocked methods.
                _ = blocked.popLast()
                let needs = wanted.backingKinds.map(\.rawValue).joined(separator: " or ")
                return result.rule == .defaultBacking
                    ? "default \(wanted.rawValue) cannot move: it needs \(needs), which did not move"
                    : "default \(wanted.rawValue) cannot move: \(Planner.why(result))"
            }

            /// The pair's row of `migration.csv`.
            func outcome(_ source: User, target: User?, mustReregister: [String], defaultProblem: String?)
                -> UserOutcome
            {
                let isComplete = mustReregister.isEmpty && blocked.isEmpty && defaultProblem == nil
                let status: Status = isComplete ? .fully : rows.isEmpty ? .notAtAll : .partly
                var reasons: [String] = []
                if rows.isEmpty && isComplete { reasons.append("nothing to move: the target already holds it") }
                if !mustReregister.isEmpty {
                    reasons.append("\(mustReregister.count) method(s) must be registered again by the user")
                }
                if !blocked.isEmpty { reasons.append("\(blocked.count) blocked in the target") }
                if let defaultProblem { reasons.append(defaultProblem) }
                if target == nil && !rows.isEmpty { reasons.append("the user is created in the target") }
                return UserOutcome(
                    sourceUser: source.name, targetUser: targetName, status: status, moved: moved,
                    mustReregister: mustReregister, blocked: blocked + (defaultProblem.map { [$0] } ?? []),
                    reason: reasons.joined(separator: "; "))
            }
        }

        /// Why a rule refused a change, in the report's words.
        static func why(_ result: ChangeResult) -> String {
            guard let rule = result.rule else { return result.message }
            return rule == .policyDisabled
                ? "blocked by policy (\(result.message))" : "\(rule.rawValue): \(result.message)"
        }
    }
}
