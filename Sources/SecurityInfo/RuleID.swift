/// The ID of each rule of RULES.md section 3, exactly as the reports print it. The only place an ID is spelled.
/// The cases are declared in the table's order, which is also the precedence when several rules refuse one change.
public enum RuleID: String, CaseIterable, Sendable, Comparable {
    case inputRow = "R-INPUT-ROW"
    case tenantScope = "R-TENANT-SCOPE"
    case userUnknown = "R-USER-UNKNOWN"
    case addUserOnly = "R-ADD-USER-ONLY"
    case editUnsupported = "R-EDIT-UNSUPPORTED"
    case defaultMFAOnly = "R-DEFAULT-MFA-ONLY"
    case phoneFormat = "R-PHONE-FORMAT"
    case phoneExtensionOfficeOnly = "R-PHONE-EXT-OFFICE-ONLY"
    case emailFormat = "R-EMAIL-FORMAT"
    case emailNotWork = "R-EMAIL-NOT-WORK"
    case oathSerial = "R-OATH-SERIAL"
    case policyDisabled = "R-POLICY-DISABLED"
    case expectMismatch = "R-EXPECT-MISMATCH"
    case methodMissing = "R-METHOD-MISSING"
    case phoneOnePerType = "R-PHONE-ONE-PER-TYPE"
    case phoneAlternateRequiresMobile = "R-PHONE-ALT-REQUIRES-MOBILE"
    case phoneMobileWithAlternate = "R-PHONE-MOBILE-WITH-ALT"
    case emailOne = "R-EMAIL-ONE"
    case methodIDTaken = "R-METHOD-ID-TAKEN"
    case authenticatorAppMax5 = "R-AUTHAPP-MAX-5"
    case defaultBacking = "R-DEFAULT-BACKING"
    case defaultDelete = "R-DEFAULT-DELETE"
    case thresholdDeletes = "R-THRESHOLD-DELETES"

    /// The rule version a report and a plan file record: bump it whenever a rule's behaviour changes.
    public static let version = "2026.12.1"

    public static func < (lhs: RuleID, rhs: RuleID) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The ID of each finding of RULES.md section 3, exactly as `findings.csv` prints it.
public enum FindingID: String, CaseIterable, Sendable, Comparable {
    case noMFA = "F-NO-MFA"
    case ssprShort = "F-SSPR-SHORT"
    case defaultInvalid = "F-DEFAULT-INVALID"
    case methodDisabled = "F-METHOD-DISABLED"
    case securityQuestionsAdmin = "F-SQ-ADMIN"
    case stateInvalid = "F-STATE-INVALID"

    public static func < (lhs: FindingID, rhs: FindingID) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
