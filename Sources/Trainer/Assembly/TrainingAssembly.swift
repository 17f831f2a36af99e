import Foundation
import TensorEngine
import Datasets
import Models
import Recipes
import Layers
import Training
import Distributed

/// Everything a training run needs, built from a recipe in the order data flows: the recipe's
/// refusals → dataset (so `num_classes` can come from it) → model → parameter groups → optimizer
/// → schedule → the step with its seams. Nothing here touches the results store or the disk
/// beyond reading the data and the initial weights, so every piece can be tested without the
/// command line.
public struct TrainingAssembly {
    public let experiment: Experiment
    /// The processes training together (one by default): its rank picks the shards, and rank 0
    /// alone records.
    public let group: any ProcessGroup
    public let train: BatchSource
    public let validation: BatchSource?
    public let model: any ClassificationModel
    public let parameterGroups: [ParameterGroup]
    public let optimizer: Optimizer
    public let schedule: LearningRateSchedule
    public let step: TrainingStep
    /// What each training batch goes through before the step: ``MixupCutmix`` when the recipe's
    /// `mixup` or `cutmix` is positive, else the batch as it is.
    public let batchTransform: any BatchTransform
    /// Compatibility-only keys the recipe set, warnings about unusual settings, and what the
    /// dataset ignores: logged and stored with the run.
    public let notes: [String]
    /// The precision of the products in training and evaluation (`amp_level`, `val_amp_level`).
    public let precision: PrecisionPlan
    /// Where `ckpt_path` with `resume_opt: True` puts the run: the saved optimizer, averages,
    /// random stream and position.
    public let restoredState: TrainingState?

    /// Builds the run of `experiment`.
    ///
    /// - Parameters:
    ///   - group: the processes training together (one by default). With several, each reads its
    ///     shard of every epoch (the training one padded to equal counts, the validation one not,
    ///     so each sample is evaluated once), gradients are averaged by ``AllReduceGradientReducer``,
    ///     and the model starts from rank 0's weights.
    ///   - log: receives weight-loading notices.
    /// - Throws: the recipe's ``RecipeError`` when a key is set to a value the runner cannot honour
    ///   (before any data is read), and data, model and checkpoint errors.
    public init(_ experiment: Experiment, group: any ProcessGroup = SingleProcess(),
                log: (String) -> Void = { _ in }) throws {
        if let refused = experiment.unsupportedSettings() { throw refused }
        self.experiment = experiment
        self.group = group
        let reducer: any GradientReducer = group.worldSize > 1 ? AllReduceGradientReducer(group: group) : LocalGradientReducer()
        if let threads = experiment.system.numThreads { ThreadPool.shared.setActiveThreads(threads) }
        // aug_repeats of 0 and 1 both read every sample once.
        let shard = Shard(rank: reducer.rank, worldSize: reducer.worldSize,
                          repeats: max(1, experiment.augmentation.augRepeats))
        train = try DatasetAssembly.make(experiment, split: .train, shard: shard)
        validation = experiment.system.valWhileTrain
            ? try DatasetAssembly.make(experiment, split: .validation,
                                       shard: Shard(rank: group.rank, worldSize: group.worldSize, padded: false))
            : nil
        if let classes = experiment.model.numClasses, classes < train.classCount {
            throw RecipeError(issues: [RecipeIssue(
                location: experiment.provenance.issueLocation(of: "num_classes"),
                problem: .inconsistent(key: "num_classes", reason: "num_classes \(classes) is below the \(train.classCount) classes of dataset '\(experiment.dataset.name.rawValue)'; leave it out to take the dataset's"))])
        }
        model = try ModelAssembly.build(experiment, classes: train.classCount, log: log)
        if let crop = experiment.augmentation.valCropSize, crop != model.imageSize, !model.acceptsOtherImageSizes {
            throw RecipeError(issues: [RecipeIssue(
                location: experiment.provenance.issueLocation(of: "val_crop_size"),
                problem: .inconsistent(key: "val_crop_size", reason: "\(experiment.model.name) is built for \(model.imageSize)-pixel inputs and cannot evaluate \(crop)-pixel crops; leave val_crop_size out or set it to \(model.imageSize)"))])
        }
        model.prepareForTraining()
        Self.broadcastState(of: model, in: group)
        let parameters = model.namedParameters()
        parameterGroups = Self.parameterGroups(parameters, experiment.optimizer, model: model)
        optimizer = Optimizer(groups: parameterGroups, algorithm: try Self.algorithm(experiment.optimizer),
                              learningRate: experiment.scheduler.lr)
        let updates = Self.updatesPerEpoch(batches: train.batchesPerEpoch, accumulation: experiment.training.gradientAccumulationSteps)
        schedule = try Self.schedule(experiment, stepsPerEpoch: updates)

        var averagers: [any WeightAverager] = []
        if experiment.training.ema {
            averagers.append(Self.exponentialMovingAverage(experiment, parameters: parameters, model: model,
                                                           updatesPerEpoch: updates, worldSize: reducer.worldSize))
        }
        if experiment.swa.enabled {
            averagers.append(try Self.stochasticWeightAveraging(experiment, parameters: parameters, model: model,
                                                                schedule: schedule, stepsPerEpoch: updates))
        }
        step = TrainingStep(model: model, objective: ClassificationObjective(experiment.loss), optimizer: optimizer,
                            reducer: reducer, clipNorm: experiment.training.clipGrad ? experiment.training.clipValue : nil,
                            averagers: averagers)
        batchTransform = Self.batchTransform(experiment, classes: experiment.model.numClasses ?? train.classCount)

        precision = PrecisionPlan(experiment.precision)
        var notes = experiment.compatibilityNotes + experiment.settingNotes + precision.notes
        if let decay = experiment.optimizer.transformerEmbeddingDecay {
            let embedding = parameterGroups.first { $0.name == "transformer_embedding" }?.parameters.count ?? 0
            notes.append(embedding == 0
                ? "transformer_embedding_decay \(decay) matches no parameter of \(experiment.model.name): it has neither torchvision's \(ParameterGrouping.torchvisionTransformerEmbeddingKeys.joined(separator: ", ")) nor position parameters of its own"
                : "transformer_embedding_decay \(decay) applies to \(embedding) position parameters of \(experiment.model.name) (torchvision's keys, and the architecture's own: Swin V2's cpb_mlp and logit_scale, Twins' pos_block)")
        }
        if experiment.system.distribute, group.worldSize == 1 {
            notes.append("distribute: True, but no launcher started several processes: training on this one (start the same command under mpirun -np N to train data-parallel)")
        }
        if experiment.dataset.name == .synthetic {
            notes.append("dataset synthetic: images are seeded random tensors, so data_dir, the splits and the image transforms do not apply")
        }
        self.notes = notes
        restoredState = try Self.restoreOptimizerState(experiment, into: optimizer, averagers: averagers)
    }

    /// Every tensor of `model` (parameters and buffers) copied from rank 0, so all ranks start alike.
    public static func broadcastState(of model: any ClassificationModel, in group: any ProcessGroup) {
        guard group.worldSize > 1 else { return }
        for (_, tensor, _) in model.namedState() {
            group.broadcast(UnsafeMutableRawBufferPointer(start: tensor.data, count: tensor.count * MemoryLayout<Float>.size), from: 0)
        }
    }

    /// Optimizer updates per epoch: `batches` in groups of `gradient_accumulation_steps`, the
    /// last group shorter when they do not divide.
    public var updatesPerEpoch: Int {
        Self.updatesPerEpoch(batches: train.batchesPerEpoch, accumulation: experiment.training.gradientAccumulationSteps)
    }

    static func updatesPerEpoch(batches: Int, accumulation: Int) -> Int {
        (batches + accumulation - 1) / max(1, accumulation)
    }

    /// The recipe's EMA (``EMAAverager``): MindCV's ramped decay, or with `ema_adjust`
    /// torchvision's adjusted decay restarting through the warm-up epochs; every `ema_steps`.
    static func exponentialMovingAverage(_ experiment: Experiment, parameters: [(name: String, tensor: Tensor)],
                                         model: any ClassificationModel, updatesPerEpoch: Int, worldSize: Int) -> EMAAverager {
        let t = experiment.training
        let normalizations = model.submodules(of: BatchNorm2d.self)
        let statistics = Set(normalizations.flatMap { [ObjectIdentifier($0.runningMean), ObjectIdentifier($0.runningVariance)] })
        let buffers = model.namedState().filter { statistics.contains(ObjectIdentifier($0.tensor)) }.map { (name: $0.name, tensor: $0.tensor) }
        guard t.emaAdjust else {
            return EMAAverager(parameters, buffers: buffers, decay: .mindCV(t.emaDecay), every: t.emaSteps,
                               updatesPerEpoch: updatesPerEpoch)
        }
        let decay = ExponentialMovingAverage.torchvisionDecay(
            decay: t.emaDecay, batchSize: experiment.dataset.batchSize * t.gradientAccumulationSteps, worldSize: worldSize,
            updateEvery: t.emaSteps, epochs: t.epochs)
        return EMAAverager(parameters, buffers: buffers, decay: .fixed(decay), every: t.emaSteps,
                           updatesPerEpoch: updatesPerEpoch, restartEpochs: experiment.scheduler.warmupEpochs)
    }

    /// ``MixupCutmix`` from `mixup`, `cutmix`, `cutmix_prob` and `label_smoothing` for a
    /// classifier of `classes` outputs, or the identity when both α are 0.
    static func batchTransform(_ experiment: Experiment, classes: Int) -> any BatchTransform {
        let a = experiment.augmentation
        guard a.mixup > 0 || a.cutmix > 0 else { return IdentityBatchTransform() }
        return MixupCutmix(mixupAlpha: a.mixup, cutmixAlpha: a.cutmix, probability: a.cutmixProb,
                           labelSmoothing: Float(experiment.loss.labelSmoothing), classes: classes)
    }

    /// keras-swa's averaging and schedule from the `swa_*` keys (``SWAAverager``).
    ///
    /// A network with batch norm spends its last epoch re-estimating the statistics under the
    /// averaged weights, as keras-swa does.
    ///
    /// - Throws: ``RecipeError`` at `swa` for settings keras-swa refuses (the recipe's loading
    ///   already refuses each of them at its own key).
    static func stochasticWeightAveraging(_ experiment: Experiment, parameters: [(name: String, tensor: Tensor)],
                                          model: any ClassificationModel, schedule: LearningRateSchedule,
                                          stepsPerEpoch: Int) throws -> SWAAverager {
        let swa = experiment.swa
        func refusal(_ key: String, _ reason: String) -> RecipeError {
            RecipeError(issues: [RecipeIssue(location: experiment.provenance.issueLocation(of: key),
                                             problem: .inconsistent(key: key, reason: reason))])
        }
        guard let start = swa.startEpoch else {
            throw refusal("swa", "swa: True needs swa_start_epoch (the 1-based epoch where averaging starts)")
        }
        func rate(_ value: SWALearningRate) -> Double? {
            if case .fixed(let rate) = value { rate } else { nil }
        }
        let hasBatchNorm = !model.submodules(of: BatchNorm2d.self).isEmpty
        let mode: SWALearningRateSchedule.Mode
        switch swa.lrSchedule {
        case .manual: mode = .manual
        case .constant: mode = .constant
        case .cyclic: mode = .cyclic
        case .cos, .linear:
            // torch's SWALR anneals from the rate the run's schedule reached; `auto` is keras-swa's 0.1 × lr.
            let plan = SWALRSchedule(
                startEpoch: start, frequency: swa.frequency, strategy: swa.lrSchedule == .cos ? .cos : .linear,
                swaLearningRate: rate(swa.lr) ?? 0.1 * experiment.scheduler.lr, annealEpochs: swa.annealEpochs,
                initialLearningRate: schedule.learningRate(epoch: start - 1), epochs: experiment.training.epochs,
                hasBatchNorm: hasBatchNorm)
            return SWAAverager(parameters, plan: plan)
        }
        do {
            let schedule = try SWALearningRateSchedule(
                startEpoch: start, mode: mode, swaLearningRate: rate(swa.lr), swaLearningRate2: rate(swa.lr2),
                swaFrequency: swa.frequency, initialLearningRate: experiment.scheduler.lr, epochs: experiment.training.epochs,
                stepsPerEpoch: stepsPerEpoch, hasBatchNorm: hasBatchNorm)
            return SWAAverager(parameters, plan: schedule)
        } catch {
            // Loading refuses each of keras-swa's conditions at its own key; this is the backstop.
            throw refusal("swa", "keras-swa refuses these settings: \(error)")
        }
    }

    /// MindCV's `weight_decay_filter` groups with the model's own no-decay list; or, when any
    /// of `norm_weight_decay`, `bias_weight_decay` and `transformer_embedding_decay` is set,
    /// torchvision's `set_weight_decay` groups: `other`, `norm`, `bias`, `transformer_embedding`.
    /// timm's `q_bias`/`v_bias` are torchvision's `qkv.bias` and match `bias`. Besides
    /// torchvision's three embedding keys, `transformer_embedding` takes the architecture's own
    /// position parameters — those of timm's `no_weight_decay()` list (Swin V2's `cpb_mlp` and
    /// `logit_scale`, Twins' `pos_block`) — as dotted keys after `bias`, so a position-bias MLP's
    /// bias stays a bias. (torchvision's keys alone match nothing in Swin V2.)
    static func parameterGroups(_ parameters: [(name: String, tensor: Tensor)], _ settings: Experiment.Optimizer,
                                model: any ClassificationModel) -> [ParameterGroup] {
        let usesTorchvision = settings.normWeightDecay != nil || settings.biasWeightDecay != nil
            || settings.transformerEmbeddingDecay != nil
        guard usesTorchvision else {
            let declared = model.noWeightDecay
            let rule: WeightDecayRule = switch settings.weightDecayFilter {
            case .disable: .disable
            case .auto: .auto
            case .normAndBias: .normAndBias
            }
            return ParameterGrouping.mindCV(parameters, weightDecay: Float(settings.weightDecay), rule: rule,
                                            skip: NoWeightDecayList(names: declared.names, keywords: declared.keywords))
        }
        var customKeys: [(key: String, weightDecay: Float)] = []
        if let bias = settings.biasWeightDecay { customKeys.append(("bias", Float(bias))) }
        if let embedding = settings.transformerEmbeddingDecay {
            customKeys += ParameterGrouping.torchvisionTransformerEmbeddingKeys.map { ($0, Float(embedding)) }
            customKeys += positionParameterNames(parameters, model: model).map { (torchvisionName($0), Float(embedding)) }
        }
        let renamed = parameters.map { (name: torchvisionName($0.name), tensor: $0.tensor) }
        let groups = ParameterGrouping.torchvision(renamed, weightDecay: Float(settings.weightDecay),
                                                   normWeightDecay: settings.normWeightDecay.map(Float.init),
                                                   customKeys: customKeys)
        // Back to the model's own names (matched by tensor), the embedding keys' groups as one.
        let names = Dictionary(parameters.map { (ObjectIdentifier($0.tensor), $0.name) }, uniquingKeysWith: { first, _ in first })
        var merged: [ParameterGroup] = []
        for group in groups {
            let name = ["other", "norm", "bias"].contains(group.name) ? group.name : "transformer_embedding"
            let members = group.parameters.map { (name: names[ObjectIdentifier($0.tensor)] ?? $0.name, tensor: $0.tensor) }
            if let index = merged.firstIndex(where: { $0.name == name }) {
                merged[index].parameters += members
            } else {
                merged.append(ParameterGroup(name: name, parameters: members, weightDecay: group.weightDecay))
            }
        }
        return merged
    }

    /// The parameters the architecture lists as position embeddings (timm's `no_weight_decay()`).
    static func positionParameterNames(_ parameters: [(name: String, tensor: Tensor)], model: any ClassificationModel) -> [String] {
        let declared = model.noWeightDecay
        let list = NoWeightDecayList(names: declared.names, keywords: declared.keywords)
        return parameters.map(\.name).filter { list.contains($0) }
    }

    /// The name torchvision's rules see for a parameter: timm's separate attention biases
    /// (`…attn.q_bias`, `…attn.v_bias`) are torchvision's `…attn.qkv.bias`.
    static func torchvisionName(_ name: String) -> String {
        for timmBias in ["q_bias", "v_bias"] where name.hasSuffix("." + timmBias) {
            return String(name.dropLast(timmBias.count)) + "qkv.bias"
        }
        return name
    }

    /// The recipe's optimizer with its `momentum`, `use_nesterov`, `eps` and `opt_betas`.
    static func algorithm(_ settings: Experiment.Optimizer) throws -> OptimizerAlgorithm {
        let betas = settings.betas, eps = settings.eps
        switch settings.name {
        case .adam: return .adam(Adam(beta1: betas[0], beta2: betas[1], epsilon: eps))
        case .adamw: return .adam(.adamW(beta1: betas[0], beta2: betas[1], epsilon: eps))
        case .nadam: return .nadam(NAdam(beta1: betas[0], beta2: betas[1], epsilon: eps))
        case .lamb: return .lamb(LAMB(beta1: betas[0], beta2: betas[1], epsilon: eps))
        case .lion:
            // timm's Lion defaults to betas (0.9, 0.99); the recipe's opt_betas apply once changed.
            let standard = Experiment.Optimizer().betas
            return .lion(betas == standard ? Lion() : Lion(beta1: Float(betas[0]), beta2: Float(betas[1])))
        case .sgd, .momentum, .nesterov, .rmsprop, .adagrad:
            guard let algorithm = OptimizerAlgorithm.named(settings.name.rawValue, momentum: Float(settings.momentum),
                                                           nesterov: settings.useNesterov, epsilon: eps) else {
                throw TrainingError.unsupported("optimizer '\(settings.name.rawValue)' is not implemented")
            }
            return algorithm
        }
    }

    /// The recipe's learning-rate schedule over `epoch_size` epochs of `stepsPerEpoch` steps.
    static func schedule(_ experiment: Experiment, stepsPerEpoch: Int) throws -> LearningRateSchedule {
        let s = experiment.scheduler
        guard let kind = ScheduleKind(rawValue: s.name.rawValue) else {
            throw TrainingError.unsupported("scheduler '\(s.name.rawValue)' is not implemented; use one of \(ScheduleKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return try LearningRateSchedule(kind: kind, learningRate: s.lr, minimumLearningRate: s.minLR,
                                        warmupEpochs: s.warmupEpochs, warmupFactor: s.warmupFactor,
                                        warmup: s.warmupMethod == .constant ? .constant : .linear,
                                        decayEpochs: s.decayEpochs, decayRate: s.decayRate,
                                        milestones: s.multiStepDecayMilestones, epochs: experiment.training.epochs,
                                        stepsPerEpoch: stepsPerEpoch, cycles: s.numCycles, cycleDecay: s.cycleDecay,
                                        epochStair: s.lrEpochStair)
    }

    /// MindCV's `resume_opt`: the optimizer state, averages, random stream and epoch of the
    /// runner checkpoint at `ckpt_path` (its weights were loaded with the model).
    static func restoreOptimizerState(_ experiment: Experiment, into optimizer: Optimizer,
                                      averagers: [any WeightAverager]) throws -> TrainingState? {
        guard experiment.checkpoint.resumeOptimizer else { return nil }
        let path = experiment.checkpoint.path
        guard !path.isEmpty else {
            throw RecipeError(issues: [RecipeIssue(
                location: experiment.provenance.issueLocation(of: "resume_opt"),
                problem: .inconsistent(key: "resume_opt", reason: "resume_opt: True restores the optimizer of ckpt_path, which is empty; set ckpt_path to a runner checkpoint (runs/<run>/last.safetensors)"))])
        }
        let saved = try CheckpointFiles.loadState(for: URL(fileURLWithPath: path))
        try optimizer.load(stateTensors: saved.optimizer)
        for averager in averagers {
            let tensors = saved.averages[averager.name] ?? []
            if !tensors.isEmpty { try averager.load(tensors) }
        }
        return saved
    }
}
