/// Writes XML text and attribute values escaped for XML 1.0. Characters XML 1.0 cannot carry at all (most C0
/// controls) are an error rather than a silently broken file.
enum XMLEscaping {
    static func append(_ text: String, to bytes: inout [UInt8], inAttribute: Bool, path: String) throws(OutputError) {
        // Most values need nothing escaped and hold no byte that needs a closer look: copied whole.
        var text = text
        let copied = text.withUTF8 { utf8 in
            guard utf8.allSatisfy(isPlain) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied { return }
        // U+FFFE and U+FFFF are no XML characters either; their UTF-8 starts EF BF.
        if text.utf8.contains(0xEF), text.unicodeScalars.contains(where: { $0.value == 0xFFFE || $0.value == 0xFFFF }) {
            throw OutputError(path: path, "a value holds U+FFFE or U+FFFF, which XML 1.0 cannot carry")
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): bytes.append(contentsOf: Array("&amp;".utf8))
            case UInt8(ascii: "<"): bytes.append(contentsOf: Array("&lt;".utf8))
            case UInt8(ascii: ">"): bytes.append(contentsOf: Array("&gt;".utf8))
            case UInt8(ascii: "\"") where inAttribute: bytes.append(contentsOf: Array("&quot;".utf8))
            // Parsers normalise these in attributes and CR everywhere: character references keep them.
            case 0x0D: bytes.append(contentsOf: Array("&#13;".utf8))
            case 0x0A where inAttribute: bytes.append(contentsOf: Array("&#10;".utf8))
            case 0x09 where inAttribute: bytes.append(contentsOf: Array("&#9;".utf8))
            case 0x09, 0x0A: bytes.append(byte)
            case 0x00..<0x20:
                throw OutputError(path: path, "a value holds control character \(byte), which XML 1.0 cannot carry")
            default: bytes.append(byte)
            }
        }
    }

    /// A byte that stands for itself in text and attributes alike, and is not the start of U+FFFE or U+FFFF.
    private static func isPlain(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte != UInt8(ascii: "&") && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">")
            && byte != UInt8(ascii: "\"") && byte != 0xEF
    }
}
