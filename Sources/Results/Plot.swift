import Foundation

/// Training curves as a standalone SVG (and an HTML page around it), for `runner report --plot`.
///
/// Two panels side by side: loss per epoch (training solid, validation dashed) and validation
/// top-1 per epoch. Each run has its own colour in both panels and a legend entry with its
/// `#id name`. Every curve is a `<path>` carrying `data-run` and `data-metric` attributes so tests
/// and scripts can find it. Plain SVG 1.1 with no script or external resources: it opens in any
/// browser and embeds in markdown.
public enum Plot {
    /// Colour-blind-friendly categorical palette (Tableau 10); runs beyond ten reuse it.
    static let palette = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ]

    private static let width = 1200.0
    private static let panelHeight = 400.0
    private static let margin = (left: 72.0, right: 24.0, top: 44.0, bottom: 56.0)
    private static let legendColumns = 3
    private static let legendRowHeight = 22.0

    /// The SVG document for `runs` (in the given order, which also fixes the colours).
    public static func svg(runs: [RunSummary], title: String? = nil) -> String {
        let legendRows = (runs.count + legendColumns - 1) / legendColumns
        let titleHeight = title == nil ? 0.0 : 32.0
        let height = titleHeight + panelHeight + 4 + Double(legendRows + 1) * legendRowHeight + 12
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(fmt(width))" height="\(fmt(height))" \
            viewBox="0 0 \(fmt(width)) \(fmt(height))" font-family="Helvetica, Arial, sans-serif" font-size="13">
            <rect width="100%" height="100%" fill="#ffffff"/>

            """
        if let title {
            svg += text(title, x: width / 2, y: 22, anchor: "middle", size: 17, weight: "bold")
        }
        let panelWidth = width / 2
        svg += panel(runs: runs, x: 0, y: titleHeight, width: panelWidth, title: "Loss",
                     yLabel: "loss", series: [(.trainLoss, nil), (.valLoss, "6 4")], includeZero: false)
        svg += panel(runs: runs, x: panelWidth, y: titleHeight, width: panelWidth, title: "Validation top-1",
                     yLabel: "top-1 accuracy (%)", series: [(.top1, nil)], includeZero: false)
        svg += legend(runs: runs, y: titleHeight + panelHeight + 4)
        svg += "</svg>\n"
        return svg
    }

    /// A self-contained HTML page showing ``svg(runs:title:)`` inline.
    public static func html(runs: [RunSummary], title: String = "runner: training curves") -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(escape(title))</title>
        <style>
          body { margin: 16px; font-family: Helvetica, Arial, sans-serif; background: #f6f6f6; }
          figure { margin: 0; display: inline-block; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
          svg { display: block; max-width: 100%; height: auto; }
        </style>
        </head>
        <body>
        <figure>
        \(svg(runs: runs, title: title))</figure>
        </body>
        </html>

        """
    }

    // MARK: Drawing

    private static func panel(
        runs: [RunSummary], x: Double, y: Double, width: Double, title: String, yLabel: String,
        series: [(metric: EpochMetric, dash: String?)], includeZero: Bool
    ) -> String {
        let left = x + margin.left, right = x + width - margin.right
        let top = y + margin.top, bottom = y + panelHeight - margin.bottom
        var points: [(Double, Double)] = []
        for run in runs {
            for (metric, _) in series {
                for e in run.epochs { if let v = metric.value(in: e), v.isFinite { points.append((Double(e.epoch), v)) } }
            }
        }
        var out = "<g class=\"panel\" data-panel=\"\(escape(title))\">\n"
        out += text(title, x: (left + right) / 2, y: y + 26, anchor: "middle", size: 15, weight: "bold")
        out += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(right - left))\" height=\"\(fmt(bottom - top))\" fill=\"none\" stroke=\"#444\" stroke-width=\"1\"/>\n"
        guard !points.isEmpty else {
            out += text("no data", x: (left + right) / 2, y: (top + bottom) / 2, anchor: "middle", fill: "#888")
            return out + "</g>\n"
        }
        let xs = AxisScale(covering: points.map(\.0), pixels: (left, right), targetTicks: 8, integral: true)
        let ys = AxisScale(covering: points.map(\.1), pixels: (bottom, top), targetTicks: 6, includeZero: includeZero)

        // Grid, ticks and tick labels.
        for t in ys.ticks {
            let py = ys.pixel(t)
            out += line(left, py, right, py, stroke: "#e3e3e3")
            out += line(left - 5, py, left, py, stroke: "#444")
            out += text(ys.label(t), x: left - 8, y: py + 4, anchor: "end", size: 12)
        }
        for t in xs.ticks {
            let px = xs.pixel(t)
            out += line(px, top, px, bottom, stroke: "#f0f0f0")
            out += line(px, bottom, px, bottom + 5, stroke: "#444")
            out += text(xs.label(t), x: px, y: bottom + 19, anchor: "middle", size: 12)
        }
        out += text("epoch", x: (left + right) / 2, y: bottom + 42, anchor: "middle")
        let midY = (top + bottom) / 2
        out += "<text x=\"\(fmt(x + 18))\" y=\"\(fmt(midY))\" text-anchor=\"middle\" transform=\"rotate(-90 \(fmt(x + 18)) \(fmt(midY)))\">\(escape(yLabel))</text>\n"

        // Curves, clipped to the frame plus room for a marker on its edge.
        let clipID = "clip-\(Int(x))"
        let pad = 5.0
        out += "<clipPath id=\"\(clipID)\"><rect x=\"\(fmt(left - pad))\" y=\"\(fmt(top - pad))\" width=\"\(fmt(right - left + 2 * pad))\" height=\"\(fmt(bottom - top + 2 * pad))\"/></clipPath>\n"
        out += "<g clip-path=\"url(#\(clipID))\">\n"
        for (index, run) in runs.enumerated() {
            let colour = palette[index % palette.count]
            for (metric, dash) in series {
                let values = run.epochs.compactMap { e in metric.value(in: e).flatMap { $0.isFinite ? (e.epoch, $0) : nil } }
                guard !values.isEmpty else { continue }
                let d = values.enumerated().map { i, p in
                    "\(i == 0 ? "M" : "L")\(fmt(xs.pixel(Double(p.0)))),\(fmt(ys.pixel(p.1)))"
                }.joined(separator: " ")
                let dashAttribute = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
                out += "<path data-run=\"\(run.run.id)\" data-metric=\"\(metric.rawValue)\" d=\"\(d)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" stroke-linejoin=\"round\"\(dashAttribute)/>\n"
                if values.count <= 40 {
                    for p in values {
                        out += "<circle cx=\"\(fmt(xs.pixel(Double(p.0))))\" cy=\"\(fmt(ys.pixel(p.1)))\" r=\"2.5\" fill=\"\(dash == nil ? colour : "#fff")\" stroke=\"\(colour)\" stroke-width=\"1.2\"/>\n"
                    }
                }
            }
        }
        out += "</g>\n</g>\n"
        return out
    }

    private static func legend(runs: [RunSummary], y: Double) -> String {
        var out = "<g class=\"legend\">\n"
        // Line-style key first, then one swatch per run.
        let keyY = y + legendRowHeight / 2
        out += line(margin.left, keyY, margin.left + 28, keyY, stroke: "#555", width: 2)
        out += text("training loss / top-1", x: margin.left + 36, y: keyY + 4, size: 12)
        out += "<line x1=\"\(fmt(margin.left + 210))\" y1=\"\(fmt(keyY))\" x2=\"\(fmt(margin.left + 238))\" y2=\"\(fmt(keyY))\" stroke=\"#555\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n"
        out += text("validation loss", x: margin.left + 246, y: keyY + 4, size: 12)
        let columnWidth = (width - margin.left - margin.right) / Double(legendColumns)
        for (index, run) in runs.enumerated() {
            let colour = palette[index % palette.count]
            let cx = margin.left + Double(index % legendColumns) * columnWidth
            let cy = y + Double(index / legendColumns + 1) * legendRowHeight + legendRowHeight / 2
            out += "<rect x=\"\(fmt(cx))\" y=\"\(fmt(cy - 6))\" width=\"28\" height=\"12\" rx=\"2\" fill=\"\(colour)\"/>\n"
            let label = truncated(run.label, to: 48) + (run.epochs.isEmpty ? " (no epochs)" : "")
            out += text(label, x: cx + 36, y: cy + 4, size: 12, dataRun: run.run.id)
        }
        return out + "</g>\n"
    }

    // MARK: SVG helpers

    private static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1) -> String {
        "<line x1=\"\(fmt(x1))\" y1=\"\(fmt(y1))\" x2=\"\(fmt(x2))\" y2=\"\(fmt(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(fmt(width))\"/>\n"
    }

    private static func text(
        _ content: String, x: Double, y: Double, anchor: String = "start", size: Double = 13,
        weight: String? = nil, fill: String = "#222", dataRun: RunID? = nil
    ) -> String {
        let weightAttribute = weight.map { " font-weight=\"\($0)\"" } ?? ""
        let runAttribute = dataRun.map { " data-run=\"\($0)\"" } ?? ""
        return "<text x=\"\(fmt(x))\" y=\"\(fmt(y))\" text-anchor=\"\(anchor)\" font-size=\"\(fmt(size))\" fill=\"\(fill)\"\(weightAttribute)\(runAttribute)>\(escape(content))</text>\n"
    }

    private static func truncated(_ s: String, to limit: Int) -> String {
        s.count <= limit ? s : String(s.prefix(limit - 1)) + "…"
    }

    /// Two decimals at most, no trailing zeros: compact and exact enough for pixels.
    static func fmt(_ value: Double) -> String {
        var s = String(format: "%.2f", value)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    /// XML text and attribute escaping.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }
}
