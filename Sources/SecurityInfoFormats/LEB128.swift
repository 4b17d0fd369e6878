/// Unsigned LEB128: a number in seven bits a byte, low bits first, most in one byte. For what is held encoded in
/// memory (change rows, decisions), where a length or count in full would take eight bytes.
public enum LEB128 {
    public static func append(_ number: Int, to bytes: inout [UInt8]) {
        precondition(number >= 0, "LEB128 holds numbers from 0")
        var rest = UInt(number)
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// The number at `position`, which moves past it.
    public static func read(_ bytes: UnsafeBufferPointer<UInt8>, at position: inout Int) -> Int {
        var value = 0
        var shift = 0
        while true {
            let byte = bytes[position]
            position += 1
            value |= Int(byte & 0x7F) << shift
            guard byte & 0x80 != 0 else { return value }
            shift += 7
        }
    }
}
