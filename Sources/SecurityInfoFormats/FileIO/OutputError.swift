import Glibc

/// Why an output could not be written. Stops the run; nothing is renamed into place.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

func systemErrorText(_ code: Int32) -> String { String(cString: strerror(code)) }
