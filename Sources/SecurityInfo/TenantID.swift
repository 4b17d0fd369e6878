/// Tenant IDs as SPEC.md allows them: 1–64 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit. The
/// grammar also keeps an ID safe to use in a file name (no `/`, no leading `.`).
public enum TenantID {
    public static func isValid(_ id: String) -> Bool { isValid(utf8: id.utf8) }

    /// The same, over UTF-8.
    public static func isValid(utf8 bytes: some Collection<UInt8>) -> Bool {
        guard (1...64).contains(bytes.count), let first = bytes.first, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
}
