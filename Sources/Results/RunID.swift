import GRDB

/// The identity of one training run in a ``ResultsStore``.
///
/// A distinct type rather than a bare integer so that a run id cannot be passed where an epoch
/// number or a count is expected. It is the `runs.id` primary key in the SQLite file.
public struct RunID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    DatabaseValueConvertible
{
    /// The `runs.id` value in the database.
    public let rawValue: Int64

    /// Wraps a `runs.id` value, e.g. one typed on the command line.
    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// Wraps a `runs.id` value, e.g. one typed on the command line.
    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    public static func < (lhs: RunID, rhs: RunID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}
