import ArgumentParser
import Foundation
import Results
import TextMatching

/// `runner report`: tables over the results store — every run, one run's epochs, or runs side by
/// side — as text, markdown, CSV or JSON, and training curves as SVG or HTML.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print tables of the recorded runs, epochs and evaluations; plot curves.")

    @Option(help: "The results store.")
    var db = ResultsStore.defaultPath

    @Option(name: .customLong("run"), help: "Show the per-epoch table of this run.")
    var runID: Int64?

    @Option(parsing: .upToNextOption, help: "Compare these runs side by side, epoch by epoch.")
    var compare: [Int64] = []

    @Flag(help: "List recorded evaluations (runner validate) instead of runs.")
    var evaluations = false

    @Option(help: "Output format: text, markdown, csv or json.")
    var format: ReportFormat = .text

    @Option(help: "Sort runs by id, start, name, model, dataset, status, epochs, top1, top5, loss, throughput or parameters; prefix - for descending.")
    var sort = "start"

    @Option(help: "Only runs whose model matches this pattern (shell wildcards).")
    var model: String?

    @Option(help: "Only runs whose dataset matches this pattern.")
    var dataset: String?

    @Option(help: "Only runs with this status (running, finished, failed, interrupted, died).")
    var status: String?

    @Option(help: "Write loss and top-1 curves of the selected runs to this file (.svg, or .html for a page).")
    var plot: String?

    func run() throws {
        guard FileManager.default.fileExists(atPath: db) else {
            throw ValidationError("no results store at \(db); train something first (`runner train -c RECIPE`) or pass --db")
        }
        let store = try ResultsStore(path: db)
        if evaluations {
            print(Report.evaluations(try store.evaluations()).render(format))
            return
        }
        if let id = runID {
            guard let summary = try store.run(RunID(id)) else { throw ValidationError("no run #\(id) in \(db)") }
            if format == .text || format == .markdown {
                print("run #\(id) \(summary.run.name): \(summary.run.model) on \(summary.run.dataset), \(summary.status.rawValue)")
                if let folder = summary.run.directory { print("folder: \(folder)") }
                print("precision: \(summary.run.precisionLabel)")
                for note in (summary.run.notes ?? "").split(separator: "\n") { print("note: \(note)") }
                print("")
            }
            print(Report.epochs(summary.epochs, averaged: try store.averagedEpochs(run: RunID(id))).render(format))
            try writePlot([summary])
            return
        }
        if !compare.isEmpty {
            var summaries: [RunSummary] = []
            for id in compare {
                guard let summary = try store.run(RunID(id)) else { throw ValidationError("no run #\(id) in \(db)") }
                summaries.append(summary)
            }
            print(Report.compare(summaries).render(format))
            try writePlot(summaries)
            return
        }
        guard let order = RunSort(parsing: sort) else {
            throw ValidationError("unknown sort key '\(sort)'; use one of \(RunSort.Key.allCases.map(\.rawValue).joined(separator: ", ")), optionally prefixed with -")
        }
        let filter = RunFilter(model: model.map { GlobPattern($0) }, dataset: dataset.map { GlobPattern($0) },
                               status: status.map { GlobPattern($0) })
        let summaries = try store.runs(filter: filter, sort: order)
        var averaged: [RunID: [AveragedEpochRecord]] = [:]
        for summary in summaries { averaged[summary.run.id] = try store.averagedEpochs(run: summary.run.id) }
        print(Report.runs(summaries, averaged: averaged).render(format))
        try writePlot(summaries)
    }

    private func writePlot(_ summaries: [RunSummary]) throws {
        guard let plot else { return }
        let text = plot.lowercased().hasSuffix(".html") ? Plot.html(runs: summaries) : Plot.svg(runs: summaries)
        try text.write(toFile: plot, atomically: true, encoding: .utf8)
        FileHandle.standardError.write(Data("wrote \(plot)\n".utf8))
    }
}

extension ReportFormat: ExpressibleByArgument {}
