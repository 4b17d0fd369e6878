/// How much of an export a chunk reader hands a worker: about `target` bytes, cut where a user ends, and never
/// more than `maximum` (no user's rows or elements come near it; a quote or comment left open can make one seem to).
struct ChunkSizes {
    /// 256 KiB a chunk, at most 64 MiB.
    static let standard = ChunkSizes(target: 1 << 18, maximum: 64 << 20)

    /// A Graph export's lines: at most 2 MiB each. A line is read whole into a JSON tape (`JSONTape`, 32 bytes a
    /// value) and, when it is decoded, a tree made from it: a line just under 2 MiB of `0,` peaks at 99 MB (one of 4
    /// MiB at 170), so 64 MiB lines could take gigabytes a worker; a user's line is a few kilobytes.
    static let graph = ChunkSizes(target: 1 << 18, maximum: 2 << 20)

    let target: Int
    let maximum: Int

    init(target: Int, maximum: Int) {
        self.target = max(target, 1)
        self.maximum = max(maximum, self.target)
    }

    /// The maximum, for messages: "64 MiB".
    var maximumText: String { maximum >= 1 << 20 ? "\(maximum >> 20) MiB" : "\(maximum) bytes" }
}
