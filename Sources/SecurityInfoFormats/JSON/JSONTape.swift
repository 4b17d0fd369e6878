/// A JSON document's values in file order, flat (a tape): each value's kind and bytes, the entry where what it holds
/// ends, and for an object's member the bytes of its key. `JSONReader` fills one; a reader of many lines keeps one
/// and refills it, so a line read this way makes no allocation per value (a `JSONValue` tree made an array per
/// object and array and a text per key). The tree is made from a tape when it is wanted (`JSONReader.read`).
public struct JSONTape: Sendable {
    public struct Entry: Sendable {
        public enum Kind: UInt8, Sendable {
            case object, array, string, escapedString, number, `true`, `false`, null
        }

        public var kind: Kind
        public let keyHasEscapes: Bool
        /// Offsets from the document's first byte in 32 bits, and the entry after it: 32 bytes an entry, where
        /// whole words took 56 (a hostile line of 4 MiB of `0,` peaked at 203 MB with them, 170 MB with these).
        private let base: Int
        private var start, count, endEntry: Int32
        private let keyStart, keyCount: Int32

        /// - Parameter key: a member's key; `nil` for any other value.
        init(kind: Kind, range: Range<Int>, base: Int, end: Int, key: Range<Int>?, keyHasEscapes: Bool) {
            (self.kind, self.keyHasEscapes, self.base) = (kind, keyHasEscapes, base)
            (start, count) = (Int32(range.lowerBound - base), Int32(range.count))
            endEntry = Int32(end)
            // An empty key ("") is a key: its place is kept like any other's.
            (keyStart, keyCount) = key.map { (Int32($0.lowerBound - base), Int32($0.count)) } ?? (0, 0)
        }

        /// The value's bytes in the document: a string's with its quotes.
        public var range: Range<Int> {
            get { (base + Int(start))..<(base + Int(start) + Int(count)) }
            set { (start, count) = (Int32(newValue.lowerBound - base), Int32(newValue.count)) }
        }
        /// The index of the entry after this value and everything in it: an object's members, an array's elements,
        /// are the entries from the next one up to here, each one's `end` leading to the one after it.
        public var end: Int {
            get { Int(endEntry) }
            set { endEntry = Int32(newValue) }
        }
        /// For a member of an object, its key's bytes between the quotes; empty at the document's start for any
        /// other value.
        public var key: Range<Int> { (base + Int(keyStart))..<(base + Int(keyStart) + Int(keyCount)) }
    }

    /// The largest document a tape holds: its offsets are 32 bits.
    static let maximumBytes = Int(Int32.max)

    public internal(set) var entries: [Entry] = []

    public init() {}

    /// The entries an object or array holds directly: its members or elements, in file order.
    public func children(of index: Int) -> Children { Children(entries: entries, index: index) }

    public struct Children: Sequence, IteratorProtocol {
        fileprivate let entries: [Entry]
        fileprivate var current: Int
        fileprivate let end: Int

        fileprivate init(entries: [Entry], index: Int) {
            self.entries = entries
            current = index + 1
            end = entries[index].end
        }

        public mutating func next() -> Int? {
            guard current < end else { return nil }
            let index = current
            current = entries[index].end
            return index
        }
    }
}
