/// The output formats of every report table.
///
/// `text` is for terminals (aligned columns), `markdown` for notes and pull requests, `csv`
/// (RFC 4180) for spreadsheets, `json` (an array of objects, numbers as numbers) for scripts.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// Aligned columns for a terminal.
    case text
    /// A GitHub-flavoured markdown table.
    case markdown
    /// RFC 4180 comma-separated values with a header row of column keys.
    case csv
    /// An array of objects keyed by column key.
    case json
}
