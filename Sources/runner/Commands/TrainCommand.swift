import ArgumentParser
import Foundation
import TensorEngine
import Layers
import Models
import Recipes
import Results
import Trainer

/// `runner train -c RECIPE`: trains the recipe's model, recording every epoch in the results store
/// and checkpoints under `runs/<id>-<name>/`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a recipe: one row per epoch in the results store, checkpoints under runs/.")

    @Option(name: [.short, .customLong("config")], help: "The recipe (YAML, MindCV's keys).")
    var config: String?

    @Option(name: .customLong("set"), help: "Override a recipe key: --set lr=0.01 (repeatable; beats the file).")
    var overrides: [String] = []

    @Option(help: "Continue the run of this checkpoint (runs/<run>/last.safetensors).")
    var resume: String?

    @Option(help: "The results store (default: the recipe's db, runs/results.sqlite).")
    var db: String?

    @Option(help: "Folder for run folders.")
    var runsDirectory = "runs"

    func run() throws {
        let experiment: Experiment
        if let resume, config == nil {
            // A resumed run keeps the recipe it started with, plus any --set given now.
            let saved = try CheckpointFiles.loadState(for: URL(fileURLWithPath: resume))
            experiment = try Experiment.load(yaml: saved.experimentYAML, path: "\(resume) (saved recipe)", overrides: overrides)
        } else {
            guard config != nil else {
                throw ValidationError("give a recipe with -c FILE (see configs/), or --resume a checkpoint")
            }
            experiment = try ExperimentLoading.load(config: config, overrides: overrides)
        }
        if let threads = experiment.system.numThreads { ThreadPool.shared.setActiveThreads(threads) }
        let model = try ModelFactory.build(experiment)
        let train = try DataSources.make(experiment, split: .train)
        let validation = experiment.system.valWhileTrain ? try DataSources.make(experiment, split: .validation) : nil
        let store = try ResultsStore(path: db ?? experiment.system.resultsStorePath)
        InterruptSignal.install()
        let log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let session = try TrainingSession(experiment: experiment, model: model, train: train, validation: validation,
                                          store: store, runsDirectory: URL(fileURLWithPath: runsDirectory),
                                          resume: resume.map { URL(fileURLWithPath: $0) }, log: log)
        log("run #\(session.runID.rawValue): \(experiment.model.name), \(model.parameterCount) parameters, \(train.sampleCount) training images in \(train.batchesPerEpoch) batches of \(experiment.dataset.batchSize), \(ThreadPool.shared.activeThreads) threads; checkpoints in \(session.runDirectory.path)")
        let outcome = try session.run(progress: ProgressReporter(interval: experiment.system.logInterval))
        if case .interrupted(let signal) = outcome { throw ExitCode(128 + signal) }
    }
}
