import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Results

@Suite struct PlotTests {
    @Test func svgHasAPathPerRunAndMetricAndALegendEntryPerRun() throws {
        let runs = Array(Fixtures.summaries.prefix(3))
        let svg = Plot.svg(runs: runs, title: "Fashion-MNIST <test>")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        for run in runs {
            for metric in ["train_loss", "val_loss", "top1"] {
                #expect(svg.contains("<path data-run=\"\(run.run.id)\" data-metric=\"\(metric)\""), "run \(run.run.id) \(metric)")
            }
            #expect(svg.contains("<text") && svg.contains(Plot.escape(run.label)))
        }
        #expect(svg.components(separatedBy: "<path ").count - 1 == runs.count * 3)
        #expect(svg.contains("Fashion-MNIST &lt;test&gt;"))
        #expect(svg.contains(">epoch</text>") && svg.contains("top-1 accuracy (%)"))
        // Distinct colours per run.
        let strokes = Set(runs.indices.map { Plot.palette[$0] })
        #expect(strokes.count == runs.count)
        for colour in strokes { #expect(svg.contains("stroke=\"\(colour)\"")) }
        // Well-formed XML.
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
    }

    @Test func emptyRunsStillRenderAFrame() {
        let svg = Plot.svg(runs: [Fixtures.summaries[3]])
        #expect(svg.contains("no data"))
        #expect(!svg.contains("<path "))
        #expect(XMLParser(data: Data(svg.utf8)).parse())
    }

    @Test func niceTicks() {
        #expect(AxisScale.niceStep(0.23) == 0.5)
        #expect(AxisScale.niceStep(1.0) == 1)
        #expect(AxisScale.niceStep(13) == 20)
        let scale = AxisScale(covering: [0.21, 2.43], pixels: (start: 300, end: 0))
        #expect(scale.lower == 0 && scale.upper == 2.5 && scale.step == 0.5)
        #expect(scale.ticks.map(scale.label) == ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"])
        #expect(scale.pixel(0) == 300 && scale.pixel(2.5) == 0)
        let epochs = AxisScale(covering: [1, 1], pixels: (start: 0, end: 100), integral: true)
        #expect(epochs.step >= 1 && epochs.lower < 1 && epochs.upper > 1)
    }

    /// Writes the HTML page to `RESULTS_PLOT_OUT` (when set) for a look in a browser.
    @Test func htmlPageWrapsTheSVG() throws {
        let html = Plot.html(runs: Array(Fixtures.summaries.prefix(3)) + [Fixtures.summaries[3]])
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<svg xmlns") && html.contains("</html>"))
        if let out = ProcessInfo.processInfo.environment["RESULTS_PLOT_OUT"] {
            try html.write(toFile: out, atomically: true, encoding: .utf8)
            try Plot.svg(runs: Array(Fixtures.summaries.prefix(3))).write(toFile: out + ".svg", atomically: true, encoding: .utf8)
        }
    }
}
