/// Users of one tenant ready for a writer, in order: runs of bytes an encoder wrote, and runs of the input's own
/// bytes (users kept as they were read, `SummarizedUser`). Those are copied once, into the output, not first into
/// a buffer of their own.
public struct EncodedUsers: Sendable {
    /// What the encoder wrote.
    private var encoded: [UInt8] = []
    /// The input bytes the kept users are in (a chunk's), shared, not copied.
    public let input: [UInt8]
    /// The runs, in order: of `input` or of `encoded`.
    private var runs: [(isInput: Bool, range: Range<Int>)] = []

    /// - Parameters:
    ///   - input: the bytes users kept as read are in.
    ///   - capacity: the room to reserve for encoded users.
    public init(input: [UInt8] = [], capacity: Int = 0) {
        self.input = input
        encoded.reserveCapacity(capacity)
    }

    /// Users encoded by `encode`, which appends their bytes.
    public mutating func append<Failure: Error>(encoding encode: (inout [UInt8]) throws(Failure) -> Void)
        throws(Failure)
    {
        let start = encoded.count
        try encode(&encoded)
        add(start..<encoded.count, isInput: false)
    }

    /// A user kept as read: its bytes in `input`.
    public mutating func append(input range: Range<Int>) { add(range, isInput: true) }

    /// Adds a run, joined to the last when it goes on from it (kept users are mostly side by side in a chunk).
    private mutating func add(_ range: Range<Int>, isInput: Bool) {
        guard !range.isEmpty else { return }
        if let last = runs.last, last.isInput == isInput, last.range.upperBound == range.lowerBound {
            runs[runs.count - 1].range = last.range.lowerBound..<range.upperBound
        } else {
            runs.append((isInput, range))
        }
    }

    /// Calls `body` with each run's bytes, in order.
    public func forEachRun(_ body: (UnsafeRawBufferPointer) throws(OutputError) -> Void) throws(OutputError) {
        for run in runs {
            let bytes = run.isInput ? input : encoded
            let result = bytes.withUnsafeBytes { bytes in
                Result { () throws(OutputError) in try body(UnsafeRawBufferPointer(rebasing: bytes[run.range])) }
            }
            try result.get()
        }
    }
}
