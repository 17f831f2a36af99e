import Foundation
import TensorEngine
import Datasets
import Layers
import Models
import Recipes
import Results
import Training

/// One training run of an experiment: epochs of batches (forward, loss, backward, clipping,
/// optimizer step, EMA), validation, a row per epoch in the results store, and checkpoints under
/// the run's folder. Resuming from a checkpoint continues the same run with the same batches and
/// random draws, so its epochs equal those of a run that never stopped.
public final class TrainingSession {
    public let experiment: Experiment
    public let model: any ClassificationModel
    let train: BatchSource
    let validation: BatchSource?
    let store: ResultsStore
    public let runID: RunID
    public let runDirectory: URL
    let optimizer: Optimizer
    let schedule: LearningRateSchedule
    let ema: ExponentialMovingAverage?
    let parameters: [(name: String, tensor: Tensor)]
    var state: TrainingState
    let log: (String) -> Void

    /// How a run ended.
    public enum Outcome: Sendable, Equatable {
        case finished
        case interrupted(signal: Int32)
    }

    /// Starts a new run (a row in the store, a folder under `runsDirectory`) or, given `resume`,
    /// continues the run that checkpoint belongs to.
    public init(experiment: Experiment, model: any ClassificationModel, train: BatchSource, validation: BatchSource?,
                store: ResultsStore, runsDirectory: URL, resume: URL? = nil, log: @escaping (String) -> Void) throws {
        self.experiment = experiment
        self.model = model
        self.train = train
        self.validation = validation
        self.store = store
        self.log = log
        model.prepareForTraining()
        parameters = model.namedParameters()

        let groups = ParameterGrouping.mindCV(parameters, weightDecay: Float(experiment.optimizer.weightDecay),
                                              rule: WeightDecayRule(rawValue: experiment.optimizer.weightDecayFilter.rawValue) ?? .disable,
                                              skip: Self.noWeightDecay(for: model))
        optimizer = Optimizer(groups: groups, algorithm: try Self.algorithm(experiment.optimizer),
                              learningRate: experiment.scheduler.lr)
        guard let kind = ScheduleKind(rawValue: experiment.scheduler.name.rawValue) else {
            throw TrainingError.unsupported("scheduler '\(experiment.scheduler.name.rawValue)' is not implemented; use one of \(ScheduleKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let s = experiment.scheduler
        schedule = try LearningRateSchedule(kind: kind, learningRate: s.lr, minimumLearningRate: s.minLR,
                                            warmupEpochs: s.warmupEpochs, warmupFactor: s.warmupFactor,
                                            decayEpochs: s.decayEpochs, decayRate: s.decayRate,
                                            milestones: s.multiStepDecayMilestones, epochs: experiment.training.epochs,
                                            stepsPerEpoch: train.batchesPerEpoch, cycles: s.numCycles, cycleDecay: s.cycleDecay,
                                            epochStair: s.lrEpochStair)
        ema = experiment.training.ema ? ExponentialMovingAverage(parameters, decay: experiment.training.emaDecay) : nil
        try Self.checkSupported(experiment)

        let yaml = experiment.resolvedYAML()
        if let resume {
            let saved = try CheckpointFiles.loadState(for: resume)
            guard saved.model == experiment.model.name else {
                throw TrainingError.checkpoint("\(resume.path) was saved from model \(saved.model), the recipe builds \(experiment.model.name)")
            }
            _ = try WeightLoading.load(into: model, from: resume, format: .timm)
            try optimizer.load(stateTensors: saved.optimizer)
            if let ema, !saved.ema.isEmpty { try ema.load(saved.ema) }
            state = saved
            runID = RunID(saved.runID)
            guard try store.run(runID) != nil else {
                throw TrainingError.checkpoint("run #\(saved.runID) of \(resume.path) is not in the store \(store.path); pass the --db it was trained with")
            }
            try store.resumeRun(runID, discardingEpochsAfter: saved.completedEpochs)
            runDirectory = resume.deletingLastPathComponent()
            log("resuming run #\(saved.runID) after epoch \(saved.completedEpochs) from \(resume.path)")
        } else {
            let name = experiment.system.runName ?? experiment.model.name
            runID = try store.startRun(name: name, model: experiment.model.name, dataset: experiment.dataset.name.rawValue,
                                       configYAML: yaml, configHash: experiment.configHash,
                                       parameters: model.parameterCount, epochsPlanned: experiment.training.epochs,
                                       imageSize: model.imageSize, batchSize: experiment.dataset.batchSize)
            runDirectory = runsDirectory.appendingPathComponent("\(runID.rawValue)-\(Self.folderName(name))")
            try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
            try yaml.write(to: runDirectory.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
            state = TrainingState(runID: runID.rawValue, model: experiment.model.name, completedEpochs: 0, globalStep: 0,
                                  bestTop1: nil, bestEpoch: nil, random: RandomGenerator(seed: UInt64(experiment.system.seed)),
                                  experimentYAML: yaml, configHash: experiment.configHash, optimizer: [], ema: [],
                                  keptCheckpoints: [])
            // A checkpoint before the first step, so even a run stopped in its first epoch can resume.
            try saveCheckpoint(named: "last")
        }
    }

    /// Runs the remaining epochs. Errors mark the run `failed` in the store and propagate.
    public func run(progress: ProgressReporter) throws -> Outcome {
        let heartbeat = Heartbeat(store: store, run: runID)
        defer { heartbeat.stop() }
        do {
            for epoch in state.completedEpochs..<experiment.training.epochs {
                if let signal = try trainEpoch(epoch, progress: progress) {
                    try store.finishRun(run: runID, status: .interrupted, error: "signal \(signal)")
                    log("interrupted by signal \(signal) during epoch \(epoch + 1); resume with --resume \(runDirectory.appendingPathComponent("last.safetensors").path)")
                    return .interrupted(signal: signal)
                }
            }
            try store.finishRun(run: runID, status: .finished)
            return .finished
        } catch {
            try? store.finishRun(run: runID, status: .failed, error: String(describing: error))
            throw error
        }
    }

    /// One epoch; returns the signal number if interrupted before it finished (nothing recorded).
    private func trainEpoch(_ epoch: Int, progress: ProgressReporter) throws -> Int32? {
        let context = ForwardContext(training: true, random: state.random)
        var loss = RunningLoss()
        var accuracy = TopKAccuracy()
        let batches = train.batchesPerEpoch
        let start = Date()
        let smoothing = Float(experiment.loss.labelSmoothing)
        var learningRate = 0.0
        for index in 0..<batches {
            if let signal = InterruptSignal.pending {
                progress.finish()
                return signal
            }
            learningRate = schedule.learningRate(step: state.globalStep)
            optimizer.learningRate = learningRate
            let batch = try train.batch(index, epoch: epoch)
            let logits = model(batch.images, context)
            let lossTensor = Tensor.crossEntropy(logits: logits, labels: batch.labels, labelSmoothing: smoothing)
            let value = Double(lossTensor.item)
            guard value.isFinite else {
                Tape.discard()
                throw TrainingError.nonFiniteLoss(epoch: epoch + 1, batch: index, value: value)
            }
            lossTensor.backward()
            if experiment.training.clipGrad {
                _ = GradientClipping.clipByGlobalNorm(parameters, maxNorm: experiment.training.clipValue)
            }
            optimizer.step()
            optimizer.zeroGrad()
            state.globalStep += 1
            ema?.update(from: parameters, step: state.globalStep)
            loss.add(value, samples: batch.count)
            accuracy.add(logits: logits.detached(), labels: batch.labels.map(Int.init))
            let elapsed = Date().timeIntervalSince(start)
            progress.update(label: "epoch \(epoch + 1)/\(experiment.training.epochs)", done: index + 1, total: batches,
                            imagesPerSecond: Double(loss.sampleCount) / max(elapsed, 1e-9),
                            fields: ["loss \(ProgressReporter.format(loss.mean, 4))", "lr \(String(format: "%.2e", learningRate))"],
                            elapsed: elapsed)
        }
        progress.finish()
        let trainSeconds = Date().timeIntervalSince(start)
        state.random = context.random
        state.completedEpochs = epoch + 1

        var evaluation: EvaluationResult?
        let validates = experiment.system.valWhileTrain && (epoch + 1) % max(1, experiment.system.valInterval) == 0
        if let validation, validates {
            evaluation = try withAveragedWeights { try Evaluator.evaluate(model, on: validation) }
        }
        let seconds = Date().timeIntervalSince(start)
        try store.recordEpoch(run: runID, epoch: epoch + 1, trainLoss: loss.mean, valLoss: evaluation?.loss,
                              top1: evaluation?.top1, top5: evaluation?.top5,
                              trainImagesPerSecond: Double(loss.sampleCount) / trainSeconds,
                              evalImagesPerSecond: evaluation?.imagesPerSecond, lr: learningRate, seconds: seconds)
        var line = "epoch \(epoch + 1): train loss \(ProgressReporter.format(loss.mean, 4)), train top-1 \(ProgressReporter.format(accuracy.top1, 2))%, \(ProgressReporter.format(Double(loss.sampleCount) / trainSeconds, 0)) img/s"
        if let evaluation {
            line += "; val loss \(ProgressReporter.format(evaluation.loss, 4)), top-1 \(ProgressReporter.format(evaluation.top1, 2))%, top-5 \(ProgressReporter.format(evaluation.top5, 2))%"
        }
        log(line + " (\(ProgressReporter.duration(seconds)))")
        try saveEpochCheckpoints(epoch: epoch + 1, top1: evaluation?.top1)
        return nil
    }

    /// Evaluates with the EMA weights when the recipe keeps an average, restoring the trained ones after.
    private func withAveragedWeights<R>(_ body: () throws -> R) rethrows -> R {
        guard let ema else { return try body() }
        let saved = parameters.map { $0.tensor.copy() }
        for ((_, tensor), (_, averaged)) in zip(parameters, ema.averaged) { tensor.data.update(from: averaged.data, count: tensor.count) }
        defer { for ((_, tensor), copy) in zip(parameters, saved) { tensor.data.update(from: copy.data, count: tensor.count) } }
        return try body()
    }

    private func saveCheckpoint(named name: String) throws {
        state.optimizer = optimizer.stateTensors()
        state.ema = ema.map { Array($0.averaged.map { ($0.name, $0.tensor) }) } ?? []
        try CheckpointFiles.save(model, state: state, classNames: train.classNames, to: runDirectory.appendingPathComponent("\(name).safetensors"))
    }

    /// `last` every epoch; `best` when top-1 improves; `epoch-N` every `ckpt_save_interval` epochs,
    /// keeping `keep_checkpoint_max` of them by recency (`latest_k`) or top-1 (`top_k`).
    private func saveEpochCheckpoints(epoch: Int, top1: Double?) throws {
        if let top1, top1 > (state.bestTop1 ?? -1) {
            state.bestTop1 = top1
            state.bestEpoch = epoch
            try saveCheckpoint(named: "best")
        }
        let checkpoint = experiment.checkpoint
        if checkpoint.saveInterval > 0 && epoch % checkpoint.saveInterval == 0 {
            let file = "epoch-\(epoch)"
            state.keptCheckpoints.append(.init(epoch: epoch, top1: top1, file: file))
            let keep = max(1, checkpoint.keepMax)
            if state.keptCheckpoints.count > keep {
                let ordered = checkpoint.savePolicy == .topK
                    ? state.keptCheckpoints.sorted { ($0.top1 ?? -1, $0.epoch) > ($1.top1 ?? -1, $1.epoch) }
                    : state.keptCheckpoints.sorted { $0.epoch > $1.epoch }
                let dropped = ordered.dropFirst(keep)
                state.keptCheckpoints = Array(ordered.prefix(keep)).sorted { $0.epoch < $1.epoch }
                for old in dropped where old.file != file {
                    for url in [runDirectory.appendingPathComponent("\(old.file).safetensors"),
                                CheckpointFiles.statePath(for: runDirectory.appendingPathComponent("\(old.file).safetensors"))] {
                        try? FileManager.default.removeItem(at: url)
                    }
                }
            }
            if state.keptCheckpoints.contains(where: { $0.file == file }) { try saveCheckpoint(named: file) }
        }
        try saveCheckpoint(named: "last")
    }

    static func folderName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
    }

    static func noWeightDecay(for model: any ClassificationModel) -> NoWeightDecayList {
        switch model {
        case is SwinV2: .swinV2
        case is Twins: .twins
        default: .none
        }
    }

    static func algorithm(_ settings: Experiment.Optimizer) throws -> OptimizerAlgorithm {
        let betas = settings.betas
        switch settings.name.rawValue {
        case "adam": return .adam(Adam(beta1: betas[0], beta2: betas[1], epsilon: settings.eps))
        case "adamw": return .adam(.adamW(beta1: betas[0], beta2: betas[1], epsilon: settings.eps))
        default:
            guard let algorithm = OptimizerAlgorithm.named(settings.name.rawValue, momentum: Float(settings.momentum),
                                                           nesterov: settings.useNesterov, epsilon: settings.eps) else {
                throw TrainingError.unsupported("optimizer '\(settings.name.rawValue)' is not implemented")
            }
            return algorithm
        }
    }

    /// Recipe features the trainer does not implement yet are refused, never silently ignored.
    static func checkSupported(_ experiment: Experiment) throws {
        var missing: [String] = []
        if experiment.augmentation.mixup > 0 { missing.append("mixup") }
        if experiment.augmentation.cutmix > 0 { missing.append("cutmix") }
        if experiment.training.gradientAccumulationSteps > 1 { missing.append("gradient_accumulation_steps > 1") }
        if experiment.swa.enabled { missing.append("swa") }
        if experiment.system.distribute { missing.append("distribute: True (one process per machine for now)") }
        guard missing.isEmpty else {
            throw TrainingError.unsupported("this runner does not implement \(missing.joined(separator: ", ")) yet; set them off in the recipe (or with --set) to train")
        }
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
