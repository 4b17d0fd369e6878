import Glibc

extension [UInt8] {
    /// Whether `bytes` are exactly these bytes: how a token or literal is told in an export's bytes without making
    /// text of them (memcmp: `elementsEqual` took 1 % of a run's CPU comparing tokens).
    func isSpelled(by bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        count == bytes.count
            && (isEmpty || withUnsafeBufferPointer { memcmp($0.baseAddress!, bytes.baseAddress!, count) == 0 })
    }
}

extension StaticString {
    /// Whether the bytes at `start` are this literal (the caller has made sure that it fits there). Of a length the
    /// compiler sees, the compare is expanded in place: the canonical XML walk's literals as static arrays went
    /// through a lazy initialiser and a memcmp call at each use.
    func isSpelled(at start: UnsafePointer<UInt8>) -> Bool {
        memcmp(utf8Start, start, utf8CodeUnitCount) == 0
    }
}
