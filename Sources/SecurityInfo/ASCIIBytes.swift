extension UInt8 {
    /// The byte with an ASCII capital letter made small, any other byte as it is: how domains and user keys are
    /// compared without regard to case, byte by byte, where no text is made.
    @inlinable
    public var asciiLowercased: UInt8 { self >= 0x41 && self <= 0x5A ? self | 0x20 : self }
}
