/// How much of an export a chunk reader hands a worker: about `target` bytes, cut where a user ends, and never
/// more than `maximum` (no user's rows or elements come near it; a quote or comment left open can make one seem to).
struct ChunkSizes {
    /// 256 KiB a chunk, at most 64 MiB.
    static let standard = ChunkSizes(target: 1 << 18, maximum: 64 << 20)

    /// A Graph export's lines: at most 4 MiB each. A line is read whole into a JSON tree that takes about 18 times
    /// its bytes (a 16 MB line of small objects peaked at 294 MB), so 64 MiB lines could take a gigabyte a worker;
    /// a user's line is a few kilobytes.
    static let graph = ChunkSizes(target: 1 << 18, maximum: 4 << 20)

    let target: Int
    let maximum: Int

    init(target: Int, maximum: Int) {
        self.target = max(target, 1)
        self.maximum = max(maximum, self.target)
    }

    /// The maximum, for messages: "64 MiB".
    var maximumText: String { maximum >= 1 << 20 ? "\(maximum >> 20) MiB" : "\(maximum) bytes" }
}
