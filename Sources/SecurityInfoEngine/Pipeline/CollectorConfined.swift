import Dispatch
import Synchronization

/// Mutable state that only a pipeline's collector queue touches while the pipeline runs, and the submitting thread
/// reads after `finish()` returns (which waits for the collector). The confinement is what makes it safe to send.
final class CollectorConfined<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
