import SecurityInfo

/// Reads a line of a Graph export no change names as a `SummarizedUser`, from the JSON reader's tape of it: no
/// `User`, `GraphUserLine`, JSON value tree or string is made of it (its tenant's text is shared by a chunk's run of
/// the tenant's users). An unchanged user's line is written back whole (`GraphExportEncoder`), so its bytes and the
/// line feed after it are what the writer writes. Only a line `GraphUserLine.read` would take as it stands is
/// summarised: every key and every string secinfo reads from it without escapes, the upn ASCII, only the nine
/// methods, a line feed after it. Anything else gives `nil`, and the line is decoded as before, its errors included.
enum GraphLineSummary {
    /// - Parameters:
    ///   - tape: the line `bytes[span]` as `JSONReader` read it.
    ///   - tenant: the tenant of the line before in the chunk, with its policy: kept when this line's is the same,
    ///     replaced when not.
    static func read(
        _ tape: JSONTape, bytes: [UInt8], span: Range<Int>, line: Int, summarizing: Summarizing,
        tenant: inout (name: String, policy: TenantPolicy)?
    ) -> SummarizedUser? {
        guard span.upperBound < bytes.count, bytes[span.upperBound] == 0x0A, tape.entries[0].kind == .object else {
            return nil
        }
        return bytes.withUnsafeBufferPointer { buffer -> SummarizedUser? in
            func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: buffer[range])
            }
            let object = Object(tape: tape, buffer: buffer)
            guard object.hasPlainKeys(0) else { return nil }
            let entry = object.entry
            let top = (
                tenant: object.member(Key.tenant, of: 0),
                userPrincipalName: object.member(Key.userPrincipalName, of: 0),
                id: object.member(Key.id, of: 0), isAdmin: object.member(Key.isAdmin, of: 0),
                signInPreferences: object.member(Key.signInPreferences, of: 0),
                methods: object.member(Key.methods, of: 0),
                securityQuestions: object.member(Key.securityQuestions, of: 0)
            )
            guard let tenantRange = object.plain(entry(top.tenant)), TenantID.isValid(utf8: slice(tenantRange)),
                let name = object.plain(entry(top.userPrincipalName)),
                // JSON holds no raw control character: ASCII that is not all spaces is no blank upn.
                slice(name).isASCII, slice(name).contains(where: { $0 != 0x20 })
            else { return nil }
            if let id = entry(top.id), id.kind != .null, !Object.isString(id) { return nil }
            var isAdmin = false
            if let value = entry(top.isAdmin), value.kind != .null {
                guard value.kind == .true || value.kind == .false else { return nil }
                isAdmin = value.kind == .true
            }
            var defaultMethod = DefaultMethod.none
            if let index = top.signInPreferences, entry(index)?.kind != .null {
                guard entry(index)?.kind == .object, let preferred = object.preferredMethod(at: index) else {
                    return nil
                }
                if let value = preferred, value.kind != .null {
                    guard let token = object.plain(value) else { return nil }
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
            if let list = top.methods, entry(list)?.kind != .null {
                guard entry(list)?.kind == .array else { return nil }
                for method in tape.children(of: list) {
                    guard let (kind, value) = object.method(at: method) else { return nil }
                    summary.add(kind, value: slice(value), userName: slice(name), policy: policy)
                }
            }
            if let value = entry(top.securityQuestions), value.kind != .null {
                // A count as `Int` reads it, in JSON's form (no sign, no leading zero): its digits are its text.
                let digits = value.range
                guard value.kind == .number, (1...18).contains(digits.count),
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

    /// Reads objects of a tape by their keys' bytes. A key with an escape could spell any of them: its object is
    /// not read (`nil`), and the line is decoded.
    private struct Object {
        let tape: JSONTape
        let buffer: UnsafeBufferPointer<UInt8>

        /// The entry at an index, if there is one.
        func entry(_ index: Int?) -> JSONTape.Entry? { index.map { tape.entries[$0] } }

        /// Whether a member's key is `key`.
        func isKey(_ key: [UInt8], _ entry: JSONTape.Entry) -> Bool { key.isSpelled(by: slice(entry.key)) }

        /// Whether no key of the object at `index` has an escape.
        func hasPlainKeys(_ index: Int) -> Bool {
            tape.children(of: index).allSatisfy { !tape.entries[$0].keyHasEscapes }
        }

        /// The entry of the member of the object at `index` whose key is `key`. Each member is found by a scan of
        /// its own: one loop noting every member's place as it passed (in a struct, an `if` chain or a `switch`)
        /// lost some of them in release builds of Swift 6.3.1, the debug build right; not understood, so not used.
        /// `Scripts/check-release-paths` holds the release build's byte path to the full decode.
        func member(_ key: [UInt8], of index: Int) -> Int? {
            tape.children(of: index).first { isKey(key, tape.entries[$0]) }
        }

        /// The preferred method's member of the `signInPreferences` object at `index`: `.some(nil)` when it has
        /// none, `nil` when one of its keys has an escape.
        func preferredMethod(at index: Int) -> JSONTape.Entry?? {
            guard hasPlainKeys(index) else { return nil }
            return .some(entry(member(GraphLineSummary.preferredMethodKey, of: index)))
        }

        func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: buffer[range]) }

        /// A string's text as its bytes, when it has no escape.
        func plain(_ entry: JSONTape.Entry?) -> Range<Int>? {
            guard let entry, entry.kind == .string else { return nil }
            return (entry.range.lowerBound + 1)..<(entry.range.upperBound - 1)
        }

        static func isString(_ entry: JSONTape.Entry?) -> Bool {
            entry?.kind == .string || entry?.kind == .escapedString
        }

        /// The kind and value bytes of one of the nine methods' objects, as `GraphUserLine` reads them; `nil` for
        /// another type, or a field it would refuse or read otherwise.
        func method(at index: Int) -> (MethodKind, Range<Int>)? {
            let object = tape.entries[index]
            guard object.kind == .object else { return nil }
            guard hasPlainKeys(index) else { return nil }
            let fields = (
                type: member(Key.odataType, of: index), id: member(Key.id, of: index),
                displayName: member(Key.displayName, of: index), phoneType: member(Key.phoneType, of: index),
                phoneNumber: member(Key.phoneNumber, of: index), emailAddress: member(Key.emailAddress, of: index),
                device: member(Key.device, of: index)
            )
            guard var type = plain(entry(fields.type)) else { return nil }
            let prefix = GraphLineSummary.prefix
            if prefix.isSpelled(by: slice(type.lowerBound..<min(type.upperBound, type.lowerBound + prefix.count))) {
                type = (type.lowerBound + prefix.count)..<type.upperBound
            }
            guard let (_, kind) = GraphLineSummary.types.first(where: { $0.token.isSpelled(by: slice(type)) }) else {
                return nil
            }
            guard let kind else {
                guard let phoneType = plain(entry(fields.phoneType)), let number = plain(entry(fields.phoneNumber))
                else {
                    return nil
                }
                return GraphLineSummary.phoneTypes.first { $0.token.isSpelled(by: slice(phoneType)) }.map {
                    ($0.kind, number)
                }
            }
            switch kind {
            case .email:
                return plain(entry(fields.emailAddress)).map { (kind, $0) }
            case .hardwareOath:
                guard Self.isString(entry(fields.id)), let device = fields.device, entry(device)?.kind == .object,
                    hasPlainKeys(device)
                else { return nil }
                return plain(entry(member(Key.serialNumber, of: device))).map { (kind, $0) }
            default:
                // The app's or key's name; none (null or absent) is an empty value.
                guard Self.isString(entry(fields.id)) else { return nil }
                guard let name = entry(fields.displayName), name.kind != .null else {
                    return (kind, object.range.lowerBound..<object.range.lowerBound)
                }
                return plain(name).map { (kind, $0) }
            }
        }
    }

    private static let preferredMethodKey = Array(GraphMethodType.preferredMethodKey.utf8)

    /// The keys the summary reads, as bytes.
    private enum Key {
        static let id = Array("id".utf8)
        static let tenant = Array("tenant".utf8)
        static let isAdmin = Array("isAdmin".utf8)
        static let methods = Array("methods".utf8)
        static let userPrincipalName = Array("userPrincipalName".utf8)
        static let signInPreferences = Array("signInPreferences".utf8)
        static let securityQuestions = Array("securityQuestions".utf8)
        static let device = Array("device".utf8)
        static let phoneType = Array("phoneType".utf8)
        static let odataType = Array("@odata.type".utf8)
        static let displayName = Array("displayName".utf8)
        static let phoneNumber = Array("phoneNumber".utf8)
        static let emailAddress = Array("emailAddress".utf8)
        static let serialNumber = Array("serialNumber".utf8)
    }
    private static let prefix = Array(GraphMethodType.prefix.utf8)
    /// The nine methods' types; `nil`: a phone, whose kind its `phoneType` tells.
    private static let types: [(token: [UInt8], kind: MethodKind?)] =
        [(Array(GraphMethodType.phone.utf8), nil)]
        + GraphMethodType.kindsByType.map { (Array($0.key.utf8), $0.value) }
    private static let phoneTypes = GraphMethodType.phoneTypes.map { (token: Array($0.value.utf8), kind: $0.key) }
}
