/// Why ``Optimizer/load(stateTensors:)`` refused a saved state.
public enum OptimizerStateError: Error, Equatable, CustomStringConvertible {
    /// A saved tensor's shape differs from the one this optimizer keeps under that name.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A parameter has some of its state saved but not this entry.
    case missing(name: String)
    /// Saved entries that belong to no parameter or state of this optimizer.
    case unexpected(names: [String])

    public var description: String {
        switch self {
        case let .shapeMismatch(name, expected, found):
            "optimizer state '\(name)': expected shape \(expected), found \(found)"
        case let .missing(name):
            "optimizer state '\(name)' is missing (the other state of its parameter is present)"
        case let .unexpected(names):
            "optimizer state has entries for no parameter of this optimizer: "
                + names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", … (\(names.count) in all)" : "")
        }
    }
}
