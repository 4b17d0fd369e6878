/// What the audit reads of a user: its flags, how many methods of each kind it holds, and which of their values
/// break a rule. It is made from an export's bytes for a user no change names (no `User` is decoded), or from a
/// `User`; both go through `add(_:value:userName:policy:)`, and `Audit` reads only this, so no finding rule is
/// written twice.
public struct UserSummary: Sendable, Equatable {
    /// A value that breaks a rule: the method's kind, and the rule (`nil`: a security-questions value that is no
    /// count).
    public struct ValueProblem: Sendable, Equatable {
        public var kind: MethodKind
        public var rule: RuleID?
    }

    public var isAdmin: Bool
    public var defaultMethod: DefaultMethod
    /// Methods outside the nine that serve two-factor verification (`User.otherMFAMethodCount`).
    public var otherMFAMethodCount = 0
    public private(set) var methodCounts = MethodCounts()
    /// The largest count the user's security-questions values give, when any parses: whether they count for SSPR.
    public private(set) var securityQuestionsCount: Int?
    /// The values that break a rule, in the user's method order; empty (and unallocated) for nearly every user.
    public private(set) var valueProblems: [ValueProblem] = []

    public init(isAdmin: Bool, defaultMethod: DefaultMethod) {
        self.isAdmin = isAdmin
        self.defaultMethod = defaultMethod
    }

    /// The summary of a decoded user: the same steps the byte path takes, value by value.
    public init(_ user: User, policy: TenantPolicy) {
        self.init(isAdmin: user.isAdmin, defaultMethod: user.defaultMethod)
        otherMFAMethodCount = user.otherMFAMethodCount
        var name = user.name
        name.withUTF8 { name in
            for method in user.methods {
                var value = method.value
                value.withUTF8 { add(method.kind, value: $0, userName: name, policy: policy) }
            }
        }
    }

    /// Adds one method, its value as UTF-8 (an export cell's bytes, unquoted), checked as `RuleEngine` checks a
    /// value; `userName`'s domain is the user's own for R-EMAIL-NOT-WORK.
    public mutating func add(
        _ kind: MethodKind, value: UnsafeBufferPointer<UInt8>, userName: UnsafeBufferPointer<UInt8>,
        policy: TenantPolicy
    ) {
        methodCounts[kind] += 1
        if kind.isAddableByAdmin {
            do throws(RuleEngine.Refusal) {
                try RuleEngine.validateValue(utf8: value, of: kind, userName: userName, policy: policy)
            } catch {
                valueProblems.append(ValueProblem(kind: kind, rule: error.rule))
            }
        } else if kind == .securityQuestions {
            // As `Int(String)` reads it: a short value is a small string, with nothing allocated.
            let count = Int(String(decoding: value, as: UTF8.self))
            if let count { securityQuestionsCount = max(securityQuestionsCount ?? count, count) }
            if count.map({ $0 < 0 }) ?? true { valueProblems.append(ValueProblem(kind: kind, rule: nil)) }
        }
    }

    /// Whether the user holds a method of this kind.
    public func holds(_ kind: MethodKind) -> Bool { methodCounts[kind] > 0 }
}

/// How many methods of each kind: nine counts kept inline, no allocation. 32 bits each: a user's methods are
/// within one chunk of at most 64 MiB.
public struct MethodCounts: Sendable, Equatable {
    private var counts = InlineArray<9, Int32>(repeating: 0)

    public init() {}

    public subscript(kind: MethodKind) -> Int {
        get { Int(counts[kind.ordinal]) }
        set { counts[kind.ordinal] = Int32(newValue) }
    }

    public static func == (a: MethodCounts, b: MethodCounts) -> Bool {
        MethodKind.allCases.allSatisfy { a[$0] == b[$0] }
    }
}
