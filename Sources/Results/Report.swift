import Foundation

/// The report tables of `runner report`: pure functions from queried rows to a ``ReportTable``.
///
/// Keeping them free of the database means the command line, tests and any future web view
/// produce identical tables from the same rows.
public enum Report {
    /// One row per run: id, name, model, dataset, epochs (done/planned), best top-1, top-5 at the
    /// best epoch, last training loss, mean training img/s, the products' precision, parameters,
    /// effective status, start.
    /// Under a run whose averages (`ema`, `swa`) were evaluated (`averaged`, by run), one row per
    /// average: its name as `<run> · <average>`, its best top-1, the top-5 and epoch of that best.
    public static func runs(_ summaries: [RunSummary], averaged: [RunID: [AveragedEpochRecord]] = [:],
                            timeZone: TimeZone = .current) -> ReportTable {
        let columns = [
            TableColumn("id"), TableColumn("name"), TableColumn("model"), TableColumn("dataset"),
            TableColumn("epochs"), TableColumn("top-1", key: "best_top1"), TableColumn("top-5", key: "top5_at_best"),
            TableColumn("best ep", key: "best_epoch"), TableColumn("loss", key: "last_loss"),
            TableColumn("img/s", key: "train_images_per_second"), TableColumn("precision"),
            TableColumn("params", key: "parameters"),
            TableColumn("status"), TableColumn("started", key: "started_at"),
        ]
        let rows: [[TableCell]] = summaries.flatMap { s -> [[TableCell]] in
            let best = s.bestEpoch
            let done = s.epochs.last?.epoch ?? 0
            let epochs = s.run.epochsPlanned.map { "\(done)/\($0)" } ?? String(done)
            let raw: [TableCell] = [
                .integer(Int(s.run.id.rawValue)), .text(s.run.name), .text(s.run.model), .text(s.run.dataset),
                .text(epochs), .number(best?.top1, decimals: 2), .number(best?.top5, decimals: 2),
                .integer(best?.epoch), .number(s.lastEpoch?.trainLoss, decimals: 4),
                .number(s.meanTrainImagesPerSecond, decimals: 1), .text(s.run.precisionLabel),
                s.run.parameters.map(TableCell.count) ?? .empty,
                .text(s.status.rawValue), .date(s.run.startedAt),
            ]
            let records = averaged[s.run.id] ?? []
            let averages = records.reduce(into: [String: AveragedEpochRecord]()) { bests, record in
                guard let top1 = record.top1 else { return }
                if let current = bests[record.weights]?.top1, current >= top1 { return }
                bests[record.weights] = record
            }
            return [raw] + averages.keys.sorted().map { name in
                let record = averages[name]!
                return [.integer(Int(s.run.id.rawValue)), .text("\(s.run.name) · \(name)"), .text(s.run.model),
                        .text(s.run.dataset), .empty, .number(record.top1, decimals: 2), .number(record.top5, decimals: 2),
                        .integer(record.epoch), .empty, .empty, .empty, .empty, .empty, .empty]
            }
        }
        return ReportTable(columns: columns, rows: rows, timeZone: timeZone)
    }

    /// One row per epoch of a run: every recorded metric of the raw weights, then, for each
    /// average the run keeps (`ema`, `swa`), its validation loss, top-1 and top-5 beside them.
    public static func epochs(_ epochs: [EpochRecord], averaged: [AveragedEpochRecord] = [],
                              timeZone: TimeZone = .current) -> ReportTable {
        var columns = [
            TableColumn("epoch"), TableColumn("loss", key: "train_loss"), TableColumn("val loss", key: "val_loss"),
            TableColumn("top-1", key: "top1"), TableColumn("top-5", key: "top5"),
        ]
        let averages = Array(Set(averaged.map(\.weights))).sorted()
        for name in averages {
            columns += [TableColumn("\(name) val loss", key: "\(name)_val_loss"), TableColumn("\(name) top-1", key: "\(name)_top1"),
                        TableColumn("\(name) top-5", key: "\(name)_top5")]
        }
        columns += [
            TableColumn("train img/s", key: "train_images_per_second"),
            TableColumn("eval img/s", key: "eval_images_per_second"), TableColumn("lr"),
            TableColumn("seconds"), TableColumn("recorded", key: "recorded_at"),
        ]
        let byEpochAndName = Dictionary(averaged.map { ("\($0.epoch) \($0.weights)", $0) }, uniquingKeysWith: { _, last in last })
        let rows: [[TableCell]] = epochs.sorted { $0.epoch < $1.epoch }.map { e in
            var row: [TableCell] = [
                .integer(e.epoch), .number(e.trainLoss, decimals: 4), .number(e.valLoss, decimals: 4),
                .number(e.top1, decimals: 2), .number(e.top5, decimals: 2),
            ]
            for name in averages {
                let a = byEpochAndName["\(e.epoch) \(name)"]
                row += [.number(a?.valLoss, decimals: 4), .number(a?.top1, decimals: 2), .number(a?.top5, decimals: 2)]
            }
            return row + [
                .number(e.trainImagesPerSecond, decimals: 1), .number(e.evalImagesPerSecond, decimals: 1),
                .number(e.lr, decimals: 6), .number(e.seconds, decimals: 1), .date(e.recordedAt),
            ]
        }
        return ReportTable(columns: columns, rows: rows, timeZone: timeZone)
    }

    /// Runs side by side: one row per epoch number that any run recorded, and for each run one
    /// column per metric (titled `#id name metric`). A run without that epoch has empty cells.
    public static func compare(_ summaries: [RunSummary], metrics: [EpochMetric] = [.top1, .trainLoss]) -> ReportTable {
        var columns = [TableColumn("epoch")]
        for s in summaries {
            for m in metrics {
                columns.append(TableColumn("\(s.label) \(m.title)", key: "run\(s.run.id)_\(m.rawValue)"))
            }
        }
        let byRun = summaries.map { s in Dictionary(s.epochs.map { ($0.epoch, $0) }, uniquingKeysWith: { _, last in last }) }
        let epochNumbers = Set(summaries.flatMap { $0.epochs.map(\.epoch) }).sorted()
        let rows: [[TableCell]] = epochNumbers.map { n in
            var row: [TableCell] = [.integer(n)]
            for epochs in byRun {
                for m in metrics { row.append(.number(epochs[n].flatMap(m.value), decimals: m.decimals)) }
            }
            return row
        }
        return ReportTable(columns: columns, rows: rows)
    }

    /// One row per evaluation: id, run, checkpoint, dataset, split, loss, top-1, top-5, img/s, samples, time.
    public static func evaluations(_ evaluations: [EvaluationRecord], timeZone: TimeZone = .current) -> ReportTable {
        let columns = [
            TableColumn("id"), TableColumn("run", key: "run_id"), TableColumn("checkpoint"), TableColumn("dataset"),
            TableColumn("split"), TableColumn("loss"), TableColumn("top-1", key: "top1"), TableColumn("top-5", key: "top5"),
            TableColumn("img/s", key: "images_per_second"), TableColumn("samples"), TableColumn("precision"),
            TableColumn("recorded", key: "recorded_at"),
        ]
        let rows: [[TableCell]] = evaluations.map { e in
            [
                .integer(e.id.map { Int($0) }), .integer(e.runID.map { Int($0.rawValue) }), .text(e.checkpoint),
                .text(e.dataset), .text(e.split), .number(e.loss, decimals: 4), .number(e.top1, decimals: 2),
                .number(e.top5, decimals: 2), .number(e.imagesPerSecond, decimals: 1), .integer(e.samples),
                .text(e.precision ?? "float32"), .date(e.recordedAt),
            ]
        }
        return ReportTable(columns: columns, rows: rows, timeZone: timeZone)
    }

    /// `28.3M`, `1.2K`, `950`: parameter counts as papers print them.
    public static func formatCount(_ n: Int) -> String {
        let x = Double(n)
        if abs(x) >= 1e9 { return String(format: "%.2fB", x / 1e9) }
        if abs(x) >= 1e6 { return String(format: "%.1fM", x / 1e6) }
        if abs(x) >= 1e3 { return String(format: "%.1fK", x / 1e3) }
        return String(n)
    }
}
