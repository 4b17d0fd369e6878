import SecurityInfo

/// Reads an XML tenant export (SPEC.md) as a stream of users:
/// `<securityInfoExport version="1"><tenant id><user upn admin defaultMethod><method type id>value`.
/// Unknown elements and attributes are errors, so nothing in the file is ignored silently.
public struct XMLExportReader: ExportReader {
    private let xml: XMLReader
    private var tenant: String?
    private var sawRoot = false
    /// Tells a user repeated in a tenant, in bounded memory.
    /// `nil` when the one reading the records checks repeats in file order (`ExportRunCheck`).
    private let runs: UserRunIndex?
    /// Without the repeat check: the user whose elements are being read.
    private(set) var unfinished: ExportRecord?
    /// Reading a chunk: how to keep users as their bytes, and the document's bytes (those libxml2 reads).
    private let summarizing: Summarizing?
    private let document: [UInt8]
    /// The policy of the tenant whose users are being read, asked once per tenant.
    private var tenantPolicy: (tenant: String, policy: TenantPolicy)?

    public var path: String { xml.path }
    public var unconfirmedRepeats: Set<String> { runs?.unconfirmed ?? [] }

    /// - Parameter confirming: `nil` on a first reading; on a second, the users the first left unconfirmed
    ///   (`unconfirmedRepeats`).
    public init(source: any ByteSource, confirming: Set<String>? = nil) throws(InputError) {
        runs = UserRunIndex(confirming: confirming)
        xml = try XMLReader(source: source)
        (summarizing, document) = (nil, [])
    }

    /// Reads without checking repeated users: `XMLExportChunkReader`'s collector does.
    /// - Parameters:
    ///   - origin: where the source's bytes sit in their file, when they are a chunk of it.
    ///   - summarizing: given to keep canonical users no change names as their bytes, which are `document` (the
    ///     bytes `source` gives).
    init(
        source: any ByteSource, checksRepeats: Bool, origin: XMLChunkOrigin = .wholeDocument,
        summarizing: Summarizing? = nil, document: [UInt8] = []
    ) throws(InputError) {
        runs = checksRepeats ? UserRunIndex() : nil
        xml = try XMLReader(source: source, origin: origin)
        (self.summarizing, self.document) = (summarizing, document)
    }

    /// The error for a user met again in a tenant.
    static func repeated(name: String, path: String, line: Int, earlierLine: Int) -> InputError {
        InputError(file: path, line: line, "user '\(name)' appears again (first at line \(earlierLine))")
    }

    public mutating func next() throws(InputError) -> ExportRecord? {
        // Without `summarizing`, every user is decoded.
        guard case .decoded(let record) = try nextUser() else { return nil }
        return record
    }

    /// The next user, decoded or (reading a chunk, with `summarizing`) kept as its bytes.
    mutating func nextUser() throws(InputError) -> ChunkUser? {
        while try xml.read() {
            switch xml.kind {
            case .element:
                // A user's element is by far the most common: told by its name without making text of it.
                let depth = xml.depth
                if depth == 2 && xml.isNamed("user") {
                    if let user = try summarizedUser() { return .summarized(user) }
                    let record = try readUser()
                    unfinished = nil
                    return .decoded(record)
                }
                switch (depth, xml.name) {
                case (0, "securityInfoExport"):
                    try checkRoot()
                case (0, let name):
                    throw error("the root element is <\(name)>, not <securityInfoExport>")
                case (1, "tenant"):
                    let attributes = try checkedAttributes(
                        allowed: Self.tenantAttributes, required: Self.tenantAttributes)
                    let id = attributes["id"]!
                    guard TenantID.isValid(id) else {
                        throw error(
                            "tenant '\(ContactMask.echoed(tenant: id))' is not 1–64 of A-Z a-z 0-9 . _ - starting with a letter or digit"
                        )
                    }
                    tenant = xml.isEmptyElement ? nil : id
                default:
                    throw error("unexpected element <\(xml.name)> here")
                }
            case .endElement:
                if xml.depth == 1 { tenant = nil }
            case .text, .whitespace, .other:
                try xml.checkBetweenElements()
            }
        }
        guard sawRoot else { throw InputError(file: path, line: 1, column: 1, "the document is empty") }
        return nil
    }

    private mutating func checkRoot() throws(InputError) {
        let attributes = try checkedAttributes(allowed: ["version"], required: ["version"])
        guard attributes["version"] == "1" else { throw error("unsupported version '\(attributes["version"]!)'") }
        sawRoot = true
    }

    /// The user at the current `<user>` element kept as its bytes, when they are canonical and no change names it;
    /// the reader is then past the element (libxml2 having parsed it).
    private mutating func summarizedUser() throws(InputError) -> SummarizedUser? {
        guard let summarizing, let tenant, let offset = xml.elementOffset else { return nil }
        if tenantPolicy?.tenant != tenant { tenantPolicy = (tenant, summarizing.policy(tenant)) }
        let line = xml.line
        let read = document.withUnsafeBufferPointer {
            XMLCanonicalUser.read($0, at: offset, tenant: tenant, line: line, policy: tenantPolicy!.policy)
        }
        guard var user = read?.user, let methods = read?.methods,
            !document.withUnsafeBufferPointer({ user.finish(in: $0, summarizing: summarizing) })
        else { return nil }
        do { try xml.skipElement(elementsInside: methods) } catch {
            // As reading its elements one by one would have: the user is unfinished when the parser fails.
            unfinished = ExportRecord(
                tenant: tenant, user: User(name: user.name.text(in: document)), line: line, rowCount: 0)
            throw error
        }
        return user
    }

    private mutating func readUser() throws(InputError) -> ExportRecord {
        guard let tenant else { throw error("a <user> outside a <tenant>") }
        let line = xml.line
        let attributes = try checkedAttributes(allowed: Self.userAttributes, required: Self.userRequired)
        let name = attributes["upn"]!
        guard !name.trimmingWhitespace.isEmpty else { throw error("the user's upn is empty") }
        var user = User(name: name)
        switch (attributes["admin"] ?? "false").lowercased() {
        case "true": user.isAdmin = true
        case "false": user.isAdmin = false
        case let other: throw error("admin is '\(ContactMask.echoed(other))': expected true or false")
        }
        if let text = attributes["defaultMethod"], !text.isEmpty {
            guard let value = DefaultMethod(token: text) else {
                throw error(
                    "defaultMethod '\(ContactMask.echoed(text))' is not one of \(DefaultMethod.allCases.map(\.rawValue).joined(separator: " "))"
                )
            }
            user.defaultMethod = value
        }
        if let runs, let earlier = runs.startRun(tenant: tenant, user: user.key, line: line) {
            throw Self.repeated(name: name, path: path, line: xml.line, earlierLine: earlier)
        }
        // Without the check here: should this user's elements fail, its run is still checked before the failure.
        if runs == nil { unfinished = ExportRecord(tenant: tenant, user: User(name: name), line: line, rowCount: 0) }

        var methodElements = 0
        if !xml.isEmptyElement {
            while try xml.read() {
                switch xml.kind {
                case .element where xml.depth == 3 && xml.isNamed("method"):
                    user.methods.append(try readMethod())
                    methodElements += 1
                case .element:
                    throw error("unexpected element <\(xml.name)> in a <user>")
                case .endElement:
                    return ExportRecord(tenant: tenant, user: user, line: line, rowCount: max(methodElements, 1))
                case .text, .whitespace, .other:
                    try xml.checkBetweenElements()
                }
            }
            throw error("the file ends inside a <user>")
        }
        return ExportRecord(tenant: tenant, user: user, line: line, rowCount: 1)
    }

    private mutating func readMethod() throws(InputError) -> MethodInstance {
        let attributes = try checkedAttributes(allowed: Self.methodAttributes, required: Self.methodRequired)
        guard let kind = MethodKind(token: attributes["type"]!) else {
            throw error("unknown method type '\(ContactMask.echoed(attributes["type"]!))'")
        }
        var value = ""
        if !xml.isEmptyElement {
            reading: while try xml.read() {
                switch xml.kind {
                // Inside a value, white space is part of it.
                case .text, .whitespace:
                    // Most values are one text node: taken as they are, not appended to an empty string.
                    if value.isEmpty { value = xml.value } else { value += xml.value }
                case .endElement: break reading
                case .element: throw error("unexpected element <\(xml.name)> in a <method>")
                case .other: try xml.checkBetweenElements()
                }
            }
        }
        return MethodInstance(kind: kind, id: attributes["id"] ?? "", value: value)
    }

    private func checkedAttributes(allowed: [String], required: [String]) throws(InputError) -> XMLAttributes {
        try XMLAttributes.checked(of: xml, allowed: allowed, required: required)
    }

    private func error(_ message: String) -> InputError { xml.error(message) }

    // The attributes each element may have, and must.
    private static let tenantAttributes = ["id"]
    private static let userAttributes = ["upn", "admin", "defaultMethod"], userRequired = ["upn"]
    private static let methodAttributes = ["type", "id"], methodRequired = ["type"]
}
