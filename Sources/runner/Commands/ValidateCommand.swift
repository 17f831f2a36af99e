import ArgumentParser
import Foundation
import Models
import Recipes
import Results
import TensorEngine
import Trainer

/// `runner validate --ckpt FILE [-c RECIPE]`: evaluates a checkpoint on the validation split and
/// records the evaluation. A missing or damaged checkpoint is an error, never random weights.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Evaluate a checkpoint on the validation split: loss, top-1, top-5, img/s.")

    @Option(name: [.short, .customLong("config")], help: "The recipe (default: the one saved with the checkpoint).")
    var config: String?

    @Option(help: "The checkpoint to evaluate (weights .safetensors).")
    var ckpt: String

    @Option(name: .customLong("set"), help: "Override a recipe key (repeatable).")
    var overrides: [String] = []

    @Option(help: "Where the weights come from when the file does not say: timm, torchvision or hf.")
    var weightsFormat: String = "auto"

    @Flag(help: "Evaluate with bfloat16 products: the same as --set val_amp_level=O2 (float32, with a note, on a processor without AVX512-BF16).")
    var amp = false

    @Option(help: "The results store to record the evaluation in.")
    var db: String?

    func run() throws {
        let overrides = overrides + (amp ? ["val_amp_level=O2"] : [])
        let url = URL(fileURLWithPath: ckpt)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ValidationError("checkpoint \(ckpt) does not exist; runs keep theirs in their folders under runs/ (best.safetensors, last.safetensors)")
        }
        var experiment: Experiment
        var runID: RunID?
        if let config {
            experiment = try ExperimentLoading.load(config: config, overrides: overrides)
        } else if let saved = try? CheckpointFiles.loadState(for: url) {
            experiment = try Experiment.load(yaml: saved.experimentYAML, path: "\(ckpt) (saved recipe)", overrides: overrides)
            runID = RunID(saved.runID)
        } else {
            throw ValidationError("\(ckpt) carries no recipe (no training state beside it); pass the recipe with -c")
        }
        guard let format = WeightsFormat(argument: weightsFormat) else {
            throw ValidationError("--weights-format must be one of \(WeightsFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let source = try DatasetAssembly.make(experiment, split: .validation)
        let model = try ModelAssembly.build(experiment, classes: source.classCount)
        let report = try WeightLoading.load(into: model, from: url, format: format)
        for notice in report.notices { FileHandle.standardError.write(Data("note: \(notice)\n".utf8)) }
        let progress = ProgressReporter(interval: experiment.system.logInterval)
        let start = Date()
        // Evaluation follows val_amp_level alone (amp_level is the training's).
        var precision = experiment.precision
        precision.ampLevel = .o0
        let plan = PrecisionPlan(precision)
        for note in plan.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        let result = try ProductPrecision.run(plan.evaluation) {
            try Evaluator.evaluate(model, on: source) { done, loss in
                progress.update(label: "validate", done: done, total: source.sampleCount,
                                imagesPerSecond: Double(done) / max(Date().timeIntervalSince(start), 1e-9),
                                fields: ["loss \(ProgressReporter.format(loss, 4))"], elapsed: Date().timeIntervalSince(start))
            }
        }
        progress.finish()
        print(String(format: "%@ on %@ (%d images): loss %.4f, top-1 %.2f%%, top-5 %.2f%%, %.1f img/s",
                     url.lastPathComponent, experiment.dataset.name.rawValue, result.samples, result.loss, result.top1,
                     result.top5, result.imagesPerSecond))
        let skipped = source.skippedFiles
        if skipped.count > 0 {
            FileHandle.standardError.write(Data("note: \(skipped.count) unreadable \(skipped.count == 1 ? "file" : "files") skipped (each replaced by the next image): \(skipped.examples.joined(separator: "; "))\n".utf8))
        }
        let store = try ResultsStore(path: db ?? experiment.system.resultsStorePath)
        // The checkpoint names its run by number; the number means that run only in the store whose
        // record of it lives in the checkpoint's folder.
        if let id = runID, let recorded = try store.run(id)?.run.directory,
           URL(fileURLWithPath: recorded).standardizedFileURL.path != url.deletingLastPathComponent().standardizedFileURL.path {
            runID = nil
        } else if let id = runID, try store.run(id) == nil {
            runID = nil
        }
        _ = try store.recordEvaluation(EvaluationRecord(
            runID: runID, checkpoint: url.path, dataset: experiment.dataset.name.rawValue,
            split: experiment.dataset.valSplit, loss: result.loss, top1: result.top1, top5: result.top5,
            imagesPerSecond: result.imagesPerSecond, samples: result.samples, precision: plan.evaluationLabel))
    }
}
