import SecurityInfo

/// Reads a line of a Graph export no change names as a `SummarizedUser`, from the JSON reader's byte ranges: no
/// `User`, `GraphUserLine` or string is made of it (its tenant's text is shared by a chunk's run of the tenant's
/// users). An unchanged user's line is written back whole (`GraphExportEncoder`), so its bytes and the line feed
/// after it are what the writer writes. Only a line `GraphUserLine.read` would take as it stands is summarised:
/// every string secinfo reads from it without escapes, the upn ASCII, only the nine methods, a line feed after it.
/// Anything else gives `nil`, and the line is decoded as before, its errors included.
enum GraphLineSummary {
    /// - Parameter tenant: the tenant of the line before in the chunk, with its policy: kept when this line's is the
    ///   same, replaced when not.
    static func read(
        _ document: JSONDocument, line: Int, summarizing: Summarizing,
        tenant: inout (name: String, policy: TenantPolicy)?
    ) -> SummarizedUser? {
        let (bytes, span) = (document.bytes, document.span)
        guard span.upperBound < bytes.count, bytes[span.upperBound] == 0x0A, case .object(let top) = document.root.kind
        else { return nil }
        return bytes.withUnsafeBufferPointer { buffer -> SummarizedUser? in
            func member(_ key: String) -> JSONValue? { top.first { $0.key == key }?.value }
            /// A string's text as its bytes, when it has no escape.
            func plain(_ value: JSONValue?) -> Range<Int>? {
                guard let value, case .string(hasEscapes: false) = value.kind else { return nil }
                return (value.range.lowerBound + 1)..<(value.range.upperBound - 1)
            }
            func isString(_ value: JSONValue?) -> Bool {
                guard let value, case .string = value.kind else { return false }
                return true
            }
            func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: buffer[range])
            }
            guard let tenantRange = plain(member("tenant")), TenantID.isValid(utf8: slice(tenantRange)),
                let name = plain(member("userPrincipalName")),
                // JSON holds no raw control character: ASCII that is not all spaces is no blank upn.
                slice(name).isASCII, slice(name).contains(where: { $0 != 0x20 })
            else { return nil }
            if let id = member("id"), !id.isNull, !isString(id) { return nil }
            var isAdmin = false
            if let value = member("isAdmin"), !value.isNull {
                guard case .bool(let flag) = value.kind else { return nil }
                isAdmin = flag
            }
            var defaultMethod = DefaultMethod.none
            if let preferences = member("signInPreferences"), !preferences.isNull {
                guard case .object = preferences.kind else { return nil }
                if let value = preferences[GraphMethodType.preferredMethodKey], !value.isNull {
                    guard let token = plain(value) else { return nil }
                    if !token.isEmpty {
                        guard let method = ExportColumn.exactDefault(slice(token)) else { return nil }
                        defaultMethod = method
                    }
                }
            }
            if tenant.map({ !$0.name.utf8.elementsEqual(slice(tenantRange)) }) ?? true {
                let text = String(decoding: slice(tenantRange), as: UTF8.self)
                tenant = (text, summarizing.policy(text))
            }
            let (tenantName, policy) = tenant!
            var summary = UserSummary(isAdmin: isAdmin, defaultMethod: defaultMethod)
            if let list = member("methods"), !list.isNull {
                guard case .array(let objects) = list.kind else { return nil }
                for object in objects {
                    guard case .object = object.kind, let type = plain(object["@odata.type"]),
                        let (kind, value) = method(object, type: type, in: buffer, plain: plain, isString: isString)
                    else { return nil }
                    summary.add(kind, value: slice(value), userName: slice(name), policy: policy)
                }
            }
            if let value = member("securityQuestions"), !value.isNull {
                // A count as `Int` reads it, in JSON's form (no sign, no leading zero): its digits are its text.
                let digits = value.range
                guard case .number = value.kind, (1...18).contains(digits.count),
                    slice(digits).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                    digits.count == 1 || buffer[digits.lowerBound] != 0x30
                else { return nil }
                if digits.count > 1 || buffer[digits.lowerBound] != 0x30 {
                    summary.add(.securityQuestions, value: slice(digits), userName: slice(name), policy: policy)
                }
            }
            var user = SummarizedUser(
                tenant: tenantName, encoded: span.lowerBound..<(span.upperBound + 1), name: name, line: line,
                rowCount: 1, nameColumn: 1, summary: summary)
            // A user a change names is decoded.
            guard !user.finish(in: buffer, summarizing: summarizing) else { return nil }
            return user
        }
    }

    /// The kind and value bytes of one of the nine methods' objects, as `GraphUserLine` reads them; `nil` for
    /// another type, or a field it would refuse or read otherwise.
    private static func method(
        _ object: JSONValue, type: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>,
        plain: (JSONValue?) -> Range<Int>?, isString: (JSONValue?) -> Bool
    ) -> (MethodKind, Range<Int>)? {
        var type = type
        if prefix.isSpelled(
            by: UnsafeBufferPointer(
                rebasing: bytes[type.lowerBound..<min(type.upperBound, type.lowerBound + prefix.count)])
        ) {
            type = (type.lowerBound + prefix.count)..<type.upperBound
        }
        guard let (_, kind) = types.first(where: { $0.token.isSpelled(by: UnsafeBufferPointer(rebasing: bytes[type])) })
        else {
            return nil
        }
        guard let kind else {
            guard let phoneType = plain(object["phoneType"]), let number = plain(object["phoneNumber"]) else {
                return nil
            }
            return phoneTypes.first { $0.token.isSpelled(by: UnsafeBufferPointer(rebasing: bytes[phoneType])) }.map {
                ($0.kind, number)
            }
        }
        switch kind {
        case .email:
            return plain(object["emailAddress"]).map { (kind, $0) }
        case .hardwareOath:
            guard isString(object["id"]), let device = object["device"], case .object = device.kind,
                let serial = plain(device["serialNumber"])
            else { return nil }
            return (kind, serial)
        default:
            // The app's or key's name; none (null or absent) is an empty value.
            guard isString(object["id"]) else { return nil }
            guard let name = object["displayName"], !name.isNull else {
                return (kind, object.range.lowerBound..<object.range.lowerBound)
            }
            return plain(name).map { (kind, $0) }
        }
    }

    private static let prefix = Array(GraphMethodType.prefix.utf8)
    /// The nine methods' types; `nil`: a phone, whose kind its `phoneType` tells.
    private static let types: [(token: [UInt8], kind: MethodKind?)] =
        [(Array(GraphMethodType.phone.utf8), nil)]
        + GraphMethodType.kindsByType.map { (Array($0.key.utf8), $0.value) }
    private static let phoneTypes = GraphMethodType.phoneTypes.map { (token: Array($0.value.utf8), kind: $0.key) }
}
