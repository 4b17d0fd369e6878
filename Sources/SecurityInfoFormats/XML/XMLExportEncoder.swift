import SecurityInfo

/// Encodes users as XML `<user>` elements (the writer adds the `<tenant>` elements around them).
public struct XMLExportEncoder: ExportEncoder {
    /// The output's path, for errors.
    public let path: String

    public init(path: String) { self.path = path }

    public func encode(_ record: ExportRecord, into bytes: inout [UInt8]) throws(OutputError) {
        let user = record.user
        bytes.append(contentsOf: "    <user upn=\"".utf8)
        try XMLEscaping.append(user.name, to: &bytes, inAttribute: true, path: path)
        // Literal pieces and raw values, without a string made per user or method.
        bytes.append(
            contentsOf: user.isAdmin
                ? "\" admin=\"true\" defaultMethod=\"".utf8 : "\" admin=\"false\" defaultMethod=\"".utf8)
        bytes.append(contentsOf: user.defaultMethod.rawValue.utf8)
        bytes.append(UInt8(ascii: "\""))
        guard !user.methods.isEmpty else {
            bytes.append(contentsOf: "/>\n".utf8)
            return
        }
        bytes.append(contentsOf: ">\n".utf8)
        for method in user.methods {
            bytes.append(contentsOf: "      <method type=\"".utf8)
            bytes.append(contentsOf: method.kind.rawValue.utf8)
            bytes.append(UInt8(ascii: "\""))
            if !method.id.isEmpty {
                bytes.append(contentsOf: " id=\"".utf8)
                try XMLEscaping.append(method.id, to: &bytes, inAttribute: true, path: path)
                bytes.append(UInt8(ascii: "\""))
            }
            bytes.append(UInt8(ascii: ">"))
            try XMLEscaping.append(method.value, to: &bytes, inAttribute: false, path: path)
            bytes.append(contentsOf: "</method>\n".utf8)
        }
        bytes.append(contentsOf: "    </user>\n".utf8)
    }
}
