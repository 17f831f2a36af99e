import Foundation
import TensorEngine
import Datasets
import Layers
import Models
import Recipes
import Results
import Training
import Distributed

/// One training run of an assembled experiment: epochs of steps, validation of the raw weights
/// and of each average beside them, a row per epoch in the results store, and checkpoints in the
/// run's own folder. Resuming from a checkpoint continues the same run with the same batches and
/// random draws, so its epochs equal those of a run that never stopped.
///
/// Under several processes (``TrainingAssembly/group``) every rank trains its shard and takes part
/// in the collectives (gradients, the epoch's loss and accuracy, validation, when to stop); rank 0
/// alone has the store and writes records, checkpoints and the run folder.
public final class TrainingSession {
    public let assembly: TrainingAssembly
    /// The results store, on the recording rank only.
    let store: ResultsStore?
    public let runID: RunID
    public let runDirectory: URL
    var state: TrainingState
    let log: (String) -> Void
    /// The skipped-file counts last logged (training, validation).
    private var reportedSkips: [SkippedFiles] = [.none, .none]

    public var experiment: Experiment { assembly.experiment }
    var step: TrainingStep { assembly.step }
    /// The run's stochastic weight averaging, which also sets the learning rate.
    var swa: SWAAverager? { step.averagers.lazy.compactMap { $0 as? SWAAverager }.first }

    /// How a run ended.
    public enum Outcome: Sendable, Equatable {
        case finished
        case interrupted(signal: Int32)
    }

    /// A checkpoint to continue from: its weights file and the training state read beside it.
    public struct ResumePoint {
        public let weights: URL
        public let state: TrainingState
        public init(weights: URL, state: TrainingState) {
            self.weights = weights
            self.state = state
        }
    }

    var group: any ProcessGroup { assembly.group }

    /// Starts a new run (a row in the store, a new folder under `ckpt_save_dir`) or, given
    /// `resume`, continues the run that checkpoint belongs to. `store` is given on rank 0 only;
    /// the other ranks learn the run's number and folder from it (and read a checkpoint to resume
    /// from themselves: its folder must be reachable from every rank).
    public init(_ assembly: TrainingAssembly, store: ResultsStore?, resume: ResumePoint? = nil,
                log: @escaping (String) -> Void) throws {
        self.assembly = assembly
        self.store = assembly.group.isRecorder ? store : nil
        self.log = log
        let experiment = assembly.experiment
        let yaml = experiment.resolvedYAML()
        guard let store = self.store else {
            // Another rank: the run's number and folder come from rank 0; a checkpoint is read here.
            if let resume {
                state = try Self.restore(resume, into: assembly)
                runID = RunID(resume.state.runID)
                runDirectory = resume.weights.deletingLastPathComponent()
            } else {
                runID = RunID(Int64(assembly.group.broadcast(0)))
                runDirectory = URL(fileURLWithPath: assembly.group.broadcast(""))
                state = Self.startingState(runID: runID, assembly: assembly, yaml: yaml)
            }
            return
        }
        if let resume {
            let saved = resume.state
            let folder = resume.weights.deletingLastPathComponent().standardizedFileURL
            runID = RunID(saved.runID)
            guard let record = try store.run(runID) else {
                throw TrainingError.checkpoint("run #\(saved.runID) of \(resume.weights.path) is not in the store \(store.path); pass the --db it was trained with")
            }
            if let recorded = record.run.directory, URL(fileURLWithPath: recorded).standardizedFileURL.path != folder.path {
                throw TrainingError.checkpoint("run #\(saved.runID) of the store \(store.path) lives in \(recorded), not \(folder.path): the checkpoint belongs to another store; pass the --db it was trained with")
            }
            state = try Self.restore(resume, into: assembly)
            runDirectory = folder
            try store.resumeRun(runID, discardingEpochsAfter: saved.completedEpochs)
            log("resuming run #\(saved.runID) after epoch \(saved.completedEpochs) from \(resume.weights.path)")
        } else {
            let name = Self.runName(experiment)
            runDirectory = try RunFolder.create(in: URL(fileURLWithPath: experiment.checkpoint.saveDirectory), name: name)
            runID = try store.startRun(name: name, model: experiment.model.name, dataset: experiment.dataset.name.rawValue,
                                       configYAML: yaml, configHash: experiment.configHash,
                                       parameters: assembly.model.parameterCount, worldSize: assembly.step.reducer.worldSize,
                                       epochsPlanned: experiment.training.epochs, imageSize: assembly.model.imageSize,
                                       batchSize: experiment.dataset.batchSize,
                                       notes: assembly.notes.isEmpty ? nil : assembly.notes.joined(separator: "\n"),
                                       directory: runDirectory.path, precision: assembly.precision.label)
            try yaml.write(to: runDirectory.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
            state = Self.startingState(runID: runID, assembly: assembly, yaml: yaml)
            if let restored = assembly.restoredState {
                log("resume_opt: optimizer, averages and position restored from \(experiment.checkpoint.path); starting after epoch \(restored.completedEpochs)")
            }
            // A checkpoint before the first step, so even a run stopped in its first epoch can resume.
            try saveCheckpoint(named: "last")
            _ = assembly.group.broadcast(Int(runID.rawValue))
            _ = assembly.group.broadcast(runDirectory.path)
        }
        for note in assembly.notes { log("note: \(note)") }
    }

    /// The state a new run starts from: epoch 0, or where `resume_opt` put it.
    static func startingState(runID: RunID, assembly: TrainingAssembly, yaml: String) -> TrainingState {
        let experiment = assembly.experiment
        let restored = assembly.restoredState
        return TrainingState(runID: runID.rawValue, model: experiment.model.name,
                             completedEpochs: restored?.completedEpochs ?? 0, globalStep: restored?.globalStep ?? 0,
                             bestTop1: nil, bestEpoch: nil,
                             random: restored?.random ?? RandomGenerator(seed: UInt64(truncatingIfNeeded: experiment.system.seed)),
                             experimentYAML: yaml, configHash: experiment.configHash, optimizer: [], averages: [:],
                             keptCheckpoints: [])
    }

    /// Loads a checkpoint's weights, optimizer and averages into `assembly` and returns its state,
    /// positioned at the first update of the next epoch under this run's updates per epoch
    /// (checkpoints are taken at epoch ends; another world size or accumulation changes the count).
    static func restore(_ resume: ResumePoint, into assembly: TrainingAssembly) throws -> TrainingState {
        let saved = resume.state, experiment = assembly.experiment
        guard saved.model == experiment.model.name else {
            throw TrainingError.checkpoint("\(resume.weights.path) was saved from model \(saved.model), the recipe builds \(experiment.model.name)")
        }
        guard saved.completedEpochs <= experiment.training.epochs else {
            throw TrainingError.checkpoint("\(resume.weights.path) has completed \(saved.completedEpochs) epochs, more than epoch_size \(experiment.training.epochs); resume with --set epoch_size=N for N of at least \(saved.completedEpochs)")
        }
        _ = try WeightLoading.load(into: assembly.model, from: resume.weights, format: .timm)
        try assembly.optimizer.load(stateTensors: saved.optimizer)
        for averager in assembly.step.averagers {
            if let tensors = saved.averages[averager.name], !tensors.isEmpty { try averager.load(tensors) }
        }
        var state = saved
        state.globalStep = saved.completedEpochs * assembly.updatesPerEpoch
        return state
    }

    /// One line saying what the run trains: model, data, batches, threads and folder.
    public var summary: String {
        let train = assembly.train
        let perRank = group.worldSize > 1 ? " on each of \(group.worldSize) ranks" : ""
        var text = "run #\(runID.rawValue) \(Self.runName(experiment)): \(experiment.model.name), \(assembly.model.parameterCount) parameters, \(train.sampleCount) training images in \(train.batchesPerEpoch) batches of \(experiment.dataset.batchSize)\(perRank)"
        if let validation = assembly.validation {
            text += ", \(validation.sampleCount) validation images in \(validation.batchesPerEpoch) batches\(perRank)"
        }
        text += ", \(ThreadPool.shared.activeThreads) threads"
        if train.loaderThreads > 0 { text += " and \(train.loaderThreads) loader threads" }
        return text + "; checkpoints in \(runDirectory.path)"
    }

    /// The run's name: `run_name`, else the recipe file's name, else the model's.
    public static func runName(_ experiment: Experiment) -> String {
        if let name = experiment.system.runName { return name }
        if let path = experiment.provenance.sourcePath {
            let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            if !stem.isEmpty { return stem }
        }
        return experiment.model.name
    }

    /// Runs the remaining epochs. Errors mark the run `failed` in the store and propagate.
    public func run(progress: ProgressReporter) throws -> Outcome {
        let heartbeat = store.map { Heartbeat(store: $0, run: runID) }
        defer { heartbeat?.stop() }
        do {
            for epoch in state.completedEpochs..<experiment.training.epochs {
                if let signal = try trainEpoch(epoch, progress: progress) {
                    try store?.finishRun(run: runID, status: .interrupted, error: "signal \(signal)")
                    log("interrupted by signal \(signal) during epoch \(epoch + 1); resume with --resume \(runDirectory.appendingPathComponent("last.safetensors").path)")
                    return .interrupted(signal: signal)
                }
            }
            // keras-swa ends a run with the averaged weights; they are kept beside the raw ones.
            if store != nil, let swa, swa.holdsWeights {
                try withWeights(of: swa) {
                    try CheckpointFiles.save(assembly.model, state: nil, classNames: assembly.train.classNames,
                                             to: runDirectory.appendingPathComponent("swa.safetensors"))
                }
            }
            try store?.finishRun(run: runID, status: .finished)
            return .finished
        } catch {
            try? store?.finishRun(run: runID, status: .failed, error: String(describing: error))
            throw error
        }
    }

    /// One epoch; returns the signal number if interrupted before it finished (nothing recorded).
    private func trainEpoch(_ epoch: Int, progress: ProgressReporter) throws -> Int32? {
        let context = ForwardContext(training: true, random: state.random)
        var momenta: [(BatchNorm2d, Float?)] = []
        if let swa, swa.plan.isBatchNormEpoch(epoch) {
            momenta = swa.beginBatchNormEpoch(parameters: step.parameters,
                                              normalizations: assembly.model.submodules(of: BatchNorm2d.self))
            log("epoch \(epoch + 1): the averaged weights in place, re-estimating the batch-norm statistics (swa)")
        }
        defer { for (normalization, momentum) in momenta { normalization.momentum = momentum } }
        let batchTransform = assembly.batchTransform
        var loss = RunningLoss()
        var accuracy = TopKAccuracy()
        let batchCount = assembly.train.batchesPerEpoch
        let accumulation = experiment.training.gradientAccumulationSteps
        let start = Date()
        var learningRate = 0.0
        for update in 0..<assembly.updatesPerEpoch {
            if let signal = agreedInterruption() {
                progress.finish()
                return signal
            }
            learningRate = assembly.schedule.learningRate(step: state.globalStep)
            if let rate = swa?.learningRate(epoch: epoch, batch: update) { learningRate = rate }
            var random = RandomGenerator(seed: UInt64(truncatingIfNeeded: experiment.system.seed) &+ UInt64(state.globalStep) &* 0x9E37_79B9)
            let indices = update * accumulation..<min(batchCount, (update + 1) * accumulation)
            let batches = try indices.map { batchTransform(try assembly.train.batch($0, epoch: epoch), random: &random) }
            let outcomes: [TrainingStep.Outcome]
            do {
                outcomes = try ProductPrecision.run(assembly.precision.training) {
                    try step(batches, learningRate: learningRate, step: state.globalStep + 1, context: context)
                }
            } catch TrainingError.nonFiniteLoss(_, _, let value) {
                throw TrainingError.nonFiniteLoss(epoch: epoch + 1, batch: indices.lowerBound, value: value)
            }
            state.globalStep += 1
            for (batch, outcome) in zip(batches, outcomes) {
                loss.add(outcome.loss, samples: batch.count)
                accuracy.add(logits: outcome.logits, labels: batch.labels.map(Int.init))
            }
            let elapsed = Date().timeIntervalSince(start)
            progress.update(label: "epoch \(epoch + 1)/\(experiment.training.epochs)", done: indices.upperBound, total: batchCount,
                            imagesPerSecond: Double(loss.sampleCount) / max(elapsed, 1e-9),
                            fields: ["loss \(ProgressReporter.format(loss.mean, 4))", "lr \(String(format: "%.2e", learningRate))"],
                            elapsed: elapsed)
        }
        progress.finish()
        let trainSeconds = Date().timeIntervalSince(start)
        // The epoch's figures over all ranks: mean loss and accuracy of every sample, img/s of all.
        let totals = group.sum([loss.weightedSum, Double(loss.sampleCount), Double(accuracy.top1Correct)])
        let trainLoss = totals[1] > 0 ? totals[0] / totals[1] : 0
        let trainTop1 = totals[1] > 0 ? 100 * totals[2] / totals[1] : 0
        let trainImagesPerSecond = totals[1] / trainSeconds
        for averager in step.averagers { averager.epochEnded(epoch, parameters: step.parameters) }
        if let swa, swa.holdsWeights, swa.plan.updatesBatchNorm(afterEpoch: epoch) {
            try ProductPrecision.run(assembly.precision.training) {
                try updateBatchNormStatistics(of: swa, epoch: epoch, context: context)
            }
        }
        state.random = context.random
        state.completedEpochs = epoch + 1

        var evaluation: EvaluationResult?
        var averaged: [(name: String, result: EvaluationResult)] = []
        let validates = experiment.system.valWhileTrain && (epoch + 1) % max(1, experiment.system.valInterval) == 0
        if let validation = assembly.validation, validates {
            try ProductPrecision.run(assembly.precision.evaluation) {
                evaluation = try Evaluator.evaluate(assembly.model, on: validation, group: group)
                for averager in step.averagers where averager.holdsWeights {
                    averaged.append((averager.name, try withWeights(of: averager) {
                        try Evaluator.evaluate(assembly.model, on: validation, group: group)
                    }))
                }
            }
        }
        let seconds = Date().timeIntervalSince(start)
        guard let store else { return nil }
        try store.recordEpoch(run: runID, epoch: epoch + 1, trainLoss: trainLoss, valLoss: evaluation?.loss,
                              top1: evaluation?.top1, top5: evaluation?.top5,
                              trainImagesPerSecond: trainImagesPerSecond,
                              evalImagesPerSecond: evaluation?.imagesPerSecond, lr: learningRate, seconds: seconds)
        for (name, result) in averaged {
            try store.recordAveragedEpoch(AveragedEpochRecord(
                runID: runID, epoch: epoch + 1, weights: name, valLoss: result.loss, top1: result.top1, top5: result.top5,
                evalImagesPerSecond: result.imagesPerSecond))
        }
        var line = "epoch \(epoch + 1): train loss \(ProgressReporter.format(trainLoss, 4)), train top-1 \(ProgressReporter.format(trainTop1, 2))%, \(ProgressReporter.format(trainImagesPerSecond, 0)) img/s"
        if let evaluation {
            line += "; val loss \(ProgressReporter.format(evaluation.loss, 4)), top-1 \(ProgressReporter.format(evaluation.top1, 2))%, top-5 \(ProgressReporter.format(evaluation.top5, 2))%"
        }
        for (name, result) in averaged {
            line += "; \(name) val loss \(ProgressReporter.format(result.loss, 4)), top-1 \(ProgressReporter.format(result.top1, 2))%"
        }
        log(line + " (\(ProgressReporter.duration(seconds)))")
        try reportSkippedFiles()
        try saveEpochCheckpoints(epoch: epoch + 1, top1: evaluation?.top1, averaged: averaged)
        return nil
    }

    /// A pending SIGINT/SIGTERM, agreed between the ranks so that all stop at the same batch
    /// boundary (a rank leaving alone would leave the others waiting in the next all-reduce).
    private func agreedInterruption() -> Int32? {
        let local = InterruptSignal.pending
        guard group.worldSize > 1 else { return local }
        let signals = group.sum([Double(local ?? 0)])[0]
        return signals > 0 ? (local ?? SIGTERM) : nil
    }

    /// Logs files the loaders could not decode since the last report and stores the totals with
    /// the run's notes (``BatchSource/skippedFiles``).
    private func reportSkippedFiles() throws {
        guard let store else { return }
        let current = [("training", assembly.train.skippedFiles), ("validation", assembly.validation?.skippedFiles ?? .none)]
        guard current.map(\.1) != reportedSkips else { return }
        reportedSkips = current.map(\.1)
        var lines: [String] = []
        for (split, skipped) in current where skipped.count > 0 {
            let more = skipped.count > skipped.examples.count ? "; …" : ""
            lines.append("\(skipped.count) unreadable \(skipped.count == 1 ? "file" : "files") skipped in \(split) (each replaced by the next image of its epoch): \(skipped.examples.joined(separator: "; "))\(more)")
        }
        for line in lines { log("note: \(line)") }
        let notes = assembly.notes + lines
        try store.updateNotes(run: runID, notes: notes.isEmpty ? nil : notes.joined(separator: "\n"))
    }

    /// Runs `body` with the model's parameters (and any buffers the average has of its own)
    /// replaced by the average's, restoring them after.
    private func withWeights<R>(of averager: any WeightAverager, _ body: () throws -> R) rethrows -> R {
        let state = Dictionary(assembly.model.namedState().map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        let replaced = zip(step.parameters, averager.averagedWeights).map { ($0.0.tensor, $0.1.tensor) }
            + averager.averagedBuffers.compactMap { buffer in state[buffer.name].map { ($0, buffer.tensor) } }
        let saved = replaced.map { $0.0.copy() }
        for (tensor, averaged) in replaced { tensor.data.update(from: averaged.data, count: tensor.count) }
        defer { for ((tensor, _), copy) in zip(replaced, saved) { tensor.data.update(from: copy.data, count: tensor.count) } }
        return try body()
    }

    /// torch's `update_bn` for the averaged model: with its weights in place and the batch-norm
    /// statistics restarted as cumulative means, one forward pass in training mode over the
    /// training data (the next epoch's order, no update); the statistics found are kept with the
    /// average, and the raw model's restored.
    private func updateBatchNormStatistics(of swa: SWAAverager, epoch: Int, context: ForwardContext) throws {
        let normalizations = assembly.model.submodules(of: BatchNorm2d.self)
        let buffers = Set(normalizations.flatMap { [ObjectIdentifier($0.runningMean), ObjectIdentifier($0.runningVariance),
                                                    ObjectIdentifier($0.batchesTracked)] })
        let named = assembly.model.namedState().filter { buffers.contains(ObjectIdentifier($0.tensor)) }
            .map { (name: $0.name, tensor: $0.tensor) }
        let raw = named.map { $0.tensor.copy() }
        defer { for ((_, tensor), copy) in zip(named, raw) { tensor.data.update(from: copy.data, count: tensor.count) } }
        let momenta = normalizations.map(\.momentum)
        defer { for (normalization, momentum) in zip(normalizations, momenta) { normalization.momentum = momentum } }
        let start = Date()
        try withWeights(of: swa) {
            for normalization in normalizations {
                normalization.resetRunningStatistics()
                normalization.momentum = nil
            }
            for index in 0..<assembly.train.batchesPerEpoch {
                let batch = try assembly.train.batch(index, epoch: epoch + 1)
                Tape.withoutRecording { _ = assembly.model(batch.images, context) }
            }
            swa.keepBatchNormStatistics(named)
        }
        log("epoch \(epoch + 1): batch-norm statistics of the averaged weights re-estimated over \(assembly.train.batchesPerEpoch) batches (swa, update_bn, \(ProgressReporter.duration(Date().timeIntervalSince(start))))")
    }

    private func saveCheckpoint(named name: String) throws {
        state.optimizer = assembly.optimizer.stateTensors()
        state.averages = Dictionary(uniqueKeysWithValues: step.averagers.map { averager in
            (averager.name, averager.checkpointTensors.map { ($0.name, $0.tensor) })
        })
        try CheckpointFiles.save(assembly.model, state: state, classNames: assembly.train.classNames,
                                 to: runDirectory.appendingPathComponent("\(name).safetensors"))
    }

    /// `last` every epoch; `best` when the raw weights' top-1 improves and `best-<average>` (its
    /// weights alone) when an average's does; `epoch-N` every `ckpt_save_interval` epochs, kept by
    /// ``CheckpointRetention``.
    private func saveEpochCheckpoints(epoch: Int, top1: Double?, averaged: [(name: String, result: EvaluationResult)]) throws {
        if let top1, top1 > (state.bestTop1 ?? -1) {
            state.bestTop1 = top1
            state.bestEpoch = epoch
            try saveCheckpoint(named: "best")
        }
        for (name, result) in averaged {
            guard let averager = step.averagers.first(where: { $0.name == name }) else { continue }
            guard result.top1 > (state.bestAveragedTop1[averager.name] ?? -1) else { continue }
            state.bestAveragedTop1[averager.name] = result.top1
            try withWeights(of: averager) {
                try CheckpointFiles.save(assembly.model, state: nil, classNames: assembly.train.classNames,
                                         to: runDirectory.appendingPathComponent("best-\(averager.name).safetensors"))
            }
        }
        let checkpoint = experiment.checkpoint
        if epoch % checkpoint.saveInterval == 0 {
            let file = "epoch-\(epoch)"
            let retention = CheckpointRetention(keep: checkpoint.keepMax, policy: checkpoint.savePolicy)
            let (kept, dropped) = retention.adding(.init(epoch: epoch, top1: top1, file: file), to: state.keptCheckpoints)
            state.keptCheckpoints = kept
            for old in dropped where old.file != file {
                let weights = runDirectory.appendingPathComponent("\(old.file).safetensors")
                for url in [weights, CheckpointFiles.statePath(for: weights)] { try? FileManager.default.removeItem(at: url) }
            }
            if kept.contains(where: { $0.file == file }) { try saveCheckpoint(named: file) }
        }
        try saveCheckpoint(named: "last")
    }
}

/// Tells the store every 30 s that the run is alive, so a run killed without saying so shows as died.
final class Heartbeat: @unchecked Sendable {
    private let timer: DispatchSourceTimer

    init(store: ResultsStore, run: RunID) {
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
        timer.schedule(deadline: .now() + 30, repeating: 30)
        timer.setEventHandler { try? store.heartbeat(run: run) }
        timer.resume()
    }

    func stop() { timer.cancel() }
}
