/// The output formats of every report table.
///
/// `text` is for terminals (aligned columns), `markdown` for notes and pull requests, `csv`
/// (RFC 4180) for spreadsheets, `json` (an array of objects, numbers as numbers) for scripts.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, markdown, csv, json
}
