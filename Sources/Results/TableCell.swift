import Foundation

/// One value in a report table, kept typed so each format can show it its own way:
/// rounded in text and markdown, exact in CSV and JSON.
public enum TableCell: Sendable, Equatable {
    /// No value (a metric not measured): blank in text, empty in CSV, `null` in JSON.
    case empty
    /// A string.
    case text(String)
    /// An integer.
    case integer(Int)
    /// A real number, shown with `decimals` digits in text and markdown.
    case number(Double, decimals: Int)
    /// A count such as a parameter total: `28.3M` in text and markdown, exact in CSV and JSON.
    case count(Int)
    /// A point in time, minutes in text, ISO 8601 (UTC) in CSV and JSON.
    case date(Date)

    /// `.number` or `.empty` for an optional value.
    public static func number(_ value: Double?, decimals: Int) -> TableCell {
        value.map { .number($0, decimals: decimals) } ?? .empty
    }

    /// `.integer` or `.empty` for an optional value.
    public static func integer(_ value: Int?) -> TableCell { value.map { .integer($0) } ?? .empty }

    /// `.text` or `.empty` for an optional value.
    public static func text(_ value: String?) -> TableCell { value.map { .text($0) } ?? .empty }

    /// Whether the cell reads best right-aligned (numbers).
    var isNumeric: Bool {
        switch self {
        case .integer, .number, .count: true
        default: false
        }
    }

    /// The cell for people: rounded numbers, dates to the minute in `timeZone`.
    func humanText(timeZone: TimeZone) -> String {
        switch self {
        case .empty: return ""
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .count(let n): return Report.formatCount(n)
        case .number(let x, let decimals):
            guard x.isFinite else { return String(x) }
            return String(format: "%.\(decimals)f", x)
        case .date(let d):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: d)
            return String(format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
        }
    }

    /// The cell for machines: exact numbers, ISO 8601 dates; nil when empty.
    var machineText: String? {
        switch self {
        case .empty: return nil
        case .text(let s): return s
        case .integer(let i), .count(let i): return String(i)
        case .number(let x, _): return x.isFinite ? String(x) : nil
        case .date(let d): return d.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        }
    }
}
