import SecurityInfo

/// What a file is: its format, and whether its bytes are gzip (told by the magic number, not the name).
public struct FileDescription: Sendable, Hashable {
    public var format: FileFormat
    public var isCompressed: Bool

    public init(format: FileFormat, isCompressed: Bool) {
        self.format = format
        self.isCompressed = isCompressed
    }
}
