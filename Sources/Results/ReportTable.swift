import Foundation

/// A rectangular table of typed cells that renders itself in every ``ReportFormat``.
///
/// The report functions in ``Report`` build these from queried rows; the command line only
/// chooses a format and prints ``render(_:)``.
public struct ReportTable: Sendable, Equatable {
    /// The columns, left to right.
    public var columns: [TableColumn]
    /// The rows; each has one cell per column.
    public var rows: [[TableCell]]
    /// Time zone for dates in text and markdown.
    public var timeZone: TimeZone

    /// Creates a table; rows shorter than `columns` are padded with empty cells.
    public init(columns: [TableColumn], rows: [[TableCell]], timeZone: TimeZone = .current) {
        self.columns = columns
        self.rows = rows.map { $0.count < columns.count ? $0 + Array(repeating: .empty, count: columns.count - $0.count) : $0 }
        self.timeZone = timeZone
    }

    /// The table as text in `format`, ending with a newline.
    public func render(_ format: ReportFormat) -> String {
        switch format {
        case .text: renderText()
        case .markdown: renderMarkdown()
        case .csv: renderCSV()
        case .json: renderJSON()
        }
    }

    /// Aligned columns separated by two spaces, numbers right-aligned, a dashed rule under the header.
    func renderText() -> String {
        let cells = rows.map { $0.map { $0.humanText(timeZone: timeZone) } }
        let numeric = columnIsNumeric()
        let widths = columns.indices.map { c in
            cells.reduce(columns[c].title.count) { max($0, $1[c].count) }
        }
        func line(_ values: [String]) -> String {
            values.indices.map { c in
                let pad = String(repeating: " ", count: widths[c] - values[c].count)
                return numeric[c] ? pad + values[c] : values[c] + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = line(columns.map(\.title)) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in cells { out += line(row) + "\n" }
        return out
    }

    /// A GitHub-flavoured markdown table, numbers right-aligned, `|` escaped.
    func renderMarkdown() -> String {
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        let numeric = columnIsNumeric()
        var out = "| " + columns.map { escape($0.title) }.joined(separator: " | ") + " |\n"
        out += "|" + numeric.map { $0 ? " ---: |" : " --- |" }.joined() + "\n"
        for row in rows {
            out += "| " + row.map { escape($0.humanText(timeZone: timeZone)) }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// RFC 4180: comma-separated, CRLF line ends, fields with comma, quote, CR or LF quoted and
    /// quotes doubled. Header from the column keys; exact numbers; empty for missing values.
    func renderCSV() -> String {
        func field(_ s: String) -> String {
            guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var out = columns.map { field($0.key) }.joined(separator: ",") + "\r\n"
        for row in rows {
            out += row.map { field($0.machineText ?? "") }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// An array of objects keyed by the column keys, in column order; numbers as JSON numbers.
    func renderJSON() -> String {
        if rows.isEmpty { return "[]\n" }
        var out = "[\n"
        for (r, row) in rows.enumerated() {
            let fields = zip(columns, row).map { column, cell in
                "\(Self.jsonString(column.key)): \(Self.jsonValue(cell))"
            }
            out += "  {" + fields.joined(separator: ", ") + "}" + (r + 1 < rows.count ? ",\n" : "\n")
        }
        return out + "]\n"
    }

    private func columnIsNumeric() -> [Bool] {
        columns.indices.map { c in
            let present = rows.map { $0[c] }.filter { $0 != .empty }
            return !present.isEmpty && present.allSatisfy(\.isNumeric)
        }
    }

    private static func jsonValue(_ cell: TableCell) -> String {
        switch cell {
        case .integer(let i), .count(let i), .groupedInteger(let i): return String(i)
        case .number(let x, _), .quantity(let x, _, _): return x.isFinite ? String(x) : "null"
        default: return cell.machineText.map(jsonString) ?? "null"
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
