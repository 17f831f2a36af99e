/// A schedule or averaging setting that cannot work, with the reason in the words of the
/// library whose rule it is (MindCV, keras-swa).
public struct ScheduleError: Error, Equatable, CustomStringConvertible {
    /// What is wrong.
    public let message: String

    /// An error saying `message`.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
