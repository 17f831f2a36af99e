import ArgumentParser
import Foundation
import TensorEngine
import Layers
import Models
import Recipes
import Results
import Trainer
import Distributed

/// `runner train -c RECIPE`: trains the recipe's model, recording every epoch in the results store
/// and checkpoints in the run's own folder under `ckpt_save_dir` (`runs/<date>-<time>-<name>/`).
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a recipe: one row per epoch in the results store, checkpoints under runs/.")

    @Option(name: [.short, .customLong("config")], help: "The recipe (YAML, MindCV's keys).")
    var config: String?

    @Option(name: .customLong("set"), help: "Override a recipe key: --set lr=0.01 (repeatable; beats the file).")
    var overrides: [String] = []

    @Flag(help: "bfloat16 mixed precision, as timm's --amp: the same as --set amp_level=O2 --set val_amp_level=O2 (float32, with a note, on a processor without AVX512-BF16).")
    var amp = false

    @Option(help: "Continue the run of this checkpoint (runs/<run>/last.safetensors).")
    var resume: String?

    @Option(help: "The results store (default: the recipe's db, runs/results.sqlite).")
    var db: String?

    func run() throws {
        let overrides = overrides + (amp ? ["amp_level=O2", "val_amp_level=O2"] : [])
        let experiment: Experiment
        var resumePoint: TrainingSession.ResumePoint?
        if let resume {
            let weights = URL(fileURLWithPath: resume)
            let saved = try CheckpointFiles.loadState(for: weights)
            resumePoint = .init(weights: weights, state: saved)
            // A resumed run keeps the recipe it started with (unless -c gives another), plus any --set given now.
            experiment = config == nil
                ? try Experiment.load(yaml: saved.experimentYAML, path: "\(resume) (saved recipe)", overrides: overrides)
                : try ExperimentLoading.load(config: config, overrides: overrides)
        } else {
            guard config != nil else {
                throw ValidationError("give a recipe with -c FILE (see configs/), or --resume a checkpoint")
            }
            experiment = try ExperimentLoading.load(config: config, overrides: overrides)
        }
        let standardError: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let decision = try ProcessGroupAssembly.make(experiment)
        if let note = decision.note { standardError("note: \(note)") }
        guard let group = decision.group else { return }
        // Rank 0 logs, shows progress and records; the others speak only of their own failure.
        let log: (String) -> Void = group.isRecorder ? standardError : { _ in }
        do {
            let assembly = try TrainingAssembly(experiment, group: group, log: log)
            let store = group.isRecorder ? try ResultsStore(path: db ?? experiment.system.resultsStorePath) : nil
            InterruptSignal.install()
            let session = try TrainingSession(assembly, store: store, resume: resumePoint, log: log)
            if group.worldSize > 1 { log("data-parallel over \(group.worldSize) processes (mpirun), global batch \(group.worldSize * experiment.dataset.batchSize)") }
            log(session.summary)
            let progress = group.isRecorder
                ? ProgressReporter(interval: experiment.system.logInterval)
                : ProgressReporter(interval: experiment.system.logInterval, isTerminal: false, write: { _ in })
            let outcome = try session.run(progress: progress)
            group.finish()
            if case .interrupted(let signal) = outcome { throw ExitCode(128 + signal) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            // One rank failing alone would leave the others waiting in a collective: end them all.
            guard group.worldSize > 1 else { throw error }
            standardError("rank \(group.rank): error: \(error)")
            group.abort(code: 1)
        }
    }
}
