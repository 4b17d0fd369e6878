import SecurityInfo

/// The columns of the CSV export, in the order secinfo writes them (SPEC.md).
enum ExportColumn {
    static let tenant = "tenant", user = "user", admin = "admin", defaultMethod = "default_method"
    static let method = "method", methodID = "method_id", value = "value"
    static let all = [tenant, user, admin, defaultMethod, method, methodID, value]
    static let required = [tenant, user, admin, defaultMethod, method, value]

    /// The method kind whose token the bytes are exactly, found without making text of them.
    static func exactMethodKind(_ bytes: UnsafeBufferPointer<UInt8>) -> MethodKind? { exact(bytes, in: methodTokens) }

    /// The default method whose token the bytes are exactly.
    static func exactDefault(_ bytes: UnsafeBufferPointer<UInt8>) -> DefaultMethod? { exact(bytes, in: defaultTokens) }

    private static func exact<Value>(_ bytes: UnsafeBufferPointer<UInt8>, in tokens: [([UInt8], Value)]) -> Value? {
        tokens.first { $0.0.isSpelled(by: bytes) }?.1
    }

    private static let methodTokens = MethodKind.allCases.map { (Array($0.rawValue.utf8), $0) }
    private static let defaultTokens = DefaultMethod.allCases.map { (Array($0.rawValue.utf8), $0) }
}
