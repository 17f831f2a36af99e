/// A column of a report table: a title for people and a key for machines.
public struct TableColumn: Sendable, Equatable {
    /// Header in text and markdown, e.g. `top-1`.
    public var title: String
    /// Header in CSV and the field name in JSON, e.g. `best_top1`.
    public var key: String

    /// Creates a column; `key` defaults to the title.
    public init(_ title: String, key: String? = nil) {
        self.title = title
        self.key = key ?? title
    }
}
