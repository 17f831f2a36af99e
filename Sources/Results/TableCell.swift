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
    /// An integer with thousands separators in text and markdown (`28,347,154`), exact in CSV and JSON.
    case groupedInteger(Int)
    /// A real number followed by its unit sign, such as `95%` or `1.94×` in text and markdown with
    /// `decimals` digits; the bare number in CSV and JSON.
    case quantity(Double, decimals: Int, unit: String)
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
        case .integer, .number, .count, .groupedInteger, .quantity: true
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
        case .groupedInteger(let n): return Self.grouped(n)
        case .number(let x, let decimals):
            guard x.isFinite else { return String(x) }
            return String(format: "%.\(decimals)f", x)
        case .quantity(let x, let decimals, let unit):
            return TableCell.number(x, decimals: decimals).humanText(timeZone: timeZone) + unit
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
        case .integer(let i), .count(let i), .groupedInteger(let i): return String(i)
        case .number(let x, _), .quantity(let x, _, _): return x.isFinite ? String(x) : nil
        case .date(let d): return d.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        }
    }

    /// `28,347,154`: digits in groups of three from the right.
    private static func grouped(_ value: Int) -> String {
        let digits = Array(String(value.magnitude))
        var out = value < 0 ? "-" : ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}
