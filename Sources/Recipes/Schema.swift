import TextMatching

/// The groups of keys, in the order MindCV's `config.py` declares them (plus this runner's
/// `checkpoint`, `training` and `swa` splits of MindCV's long "model" group).
enum KeyGroup: String, CaseIterable {
    case system, dataset, augmentation, model, checkpoint, training, swa, optimizer, scheduler, loss, precision

    /// The comment written above the group in a resolved recipe.
    var comment: String {
        switch self {
        case .system: "# system"
        case .dataset: "# dataset"
        case .augmentation: "# augmentation"
        case .model: "# model"
        case .checkpoint: "# checkpoint"
        case .training: "# training (MindCV keeps these with the model keys)"
        case .swa: "# stochastic weight averaging (keras-swa's options)"
        case .optimizer: "# optimizer"
        case .scheduler: "# lr scheduler"
        case .loss: "# loss"
        case .precision: "# mixed precision"
        }
    }
}

/// One YAML key: how to read it into an ``Experiment`` and how to write it back.
///
/// The whole recipe format is the table ``RecipeSchema/fields``; loading, the unknown-key check,
/// suggestions and ``Experiment/resolvedYAML()`` all read that one table, so a key cannot be
/// readable but missing from the resolved YAML, or the other way round.
///
/// `@unchecked Sendable`: a field is immutable after construction and its closures capture only
/// key paths (immutable) and value types, so sharing the static table across threads is safe.
struct Field: @unchecked Sendable {
    let key: String
    let group: KeyGroup
    /// True for keys that name or place a run without changing what it computes (`run_name`,
    /// `db`); they are left out of ``Experiment/configHash``.
    let isBookkeeping: Bool
    let apply: (inout Experiment, ValueReader) throws(RecipeProblem) -> Void
    let render: (Experiment) -> String
    /// What the runner does with the key (``KeySupport``); set with ``compatibility(_:)``,
    /// ``limited(to:_:accepts:)`` or ``defaultOnly(_:)`` in the table.
    var support: KeySupport = .implemented
}

enum RecipeSchema {
    typealias Path<Value> = WritableKeyPath<Experiment, Value>

    static let keys: [String] = fields.map(\.key)
    static let keySet: Set<String> = Set(keys)

    static func field(named key: String) -> Field? {
        fields.first { $0.key == key }
    }

    // MARK: Builders

    static func bool(_ key: String, _ group: KeyGroup, _ path: Path<Bool>) -> Field {
        Field(key: key, group: group, isBookkeeping: false,
              apply: { (experiment, reader) throws(RecipeProblem) in experiment[keyPath: path] = try reader.bool() },
              render: { YAMLText.bool($0[keyPath: path]) })
    }

    static func int(_ key: String, _ group: KeyGroup, _ path: Path<Int>, _ range: NumberRange) -> Field {
        Field(key: key, group: group, isBookkeeping: false,
              apply: { (experiment, reader) throws(RecipeProblem) in experiment[keyPath: path] = try reader.int(range) },
              render: { String($0[keyPath: path]) })
    }

    static func optionalInt(_ key: String, _ group: KeyGroup, _ path: Path<Int?>, _ range: NumberRange) -> Field {
        Field(key: key, group: group, isBookkeeping: false,
              apply: { (experiment, reader) throws(RecipeProblem) in
                  experiment[keyPath: path] = reader.node.isNull ? nil : try reader.int(range)
              },
              render: { $0[keyPath: path].map(String.init) ?? "null" })
    }

    static func double(_ key: String, _ group: KeyGroup, _ path: Path<Double>, _ range: NumberRange) -> Field {
        Field(key: key, group: group, isBookkeeping: false,
              apply: { (experiment, reader) throws(RecipeProblem) in experiment[keyPath: path] = try reader.double(range) },
              render: { YAMLText.number($0[keyPath: path]) })
    }

    static func optionalDouble(_ key: String, _ group: KeyGroup, _ path: Path<Double?>, _ range: NumberRange) -> Field {
        Field(key: key, group: group, isBookkeeping: false,
              apply: { (experiment, reader) throws(RecipeProblem) in
                  experiment[keyPath: path] = reader.node.isNull ? nil : try reader.double(range)
              },
              render: { $0[keyPath: path].map(YAMLText.number) ?? "null" })
    }

    /// A string key; `emptyIfNull` lets `ckpt_path:` with no value mean the empty string.
    static func string(_ key: String, _ group: KeyGroup, _ path: Path<String>, emptyIfNull: Bool = false,
                       bookkeeping: Bool = false) -> Field {
        Field(key: key, group: group, isBookkeeping: bookkeeping,
              apply: { (experiment, reader) throws(RecipeProblem) in
                  experiment[keyPath: path] = emptyIfNull && reader.node.isNull ? "" : try reader.string()
              },
              render: { YAMLText.quoted($0[keyPath: path]) })
    }

    static func optionalString(_ key: String, _ group: KeyGroup, _ path: Path<String?>, bookkeeping: Bool = false,
                               check: @escaping (String) -> RecipeProblem? = { _ in nil }) -> Field {
        Field(key: key, group: group, isBookkeeping: bookkeeping,
              apply: { (experiment, reader) throws(RecipeProblem) in
                  if reader.node.isNull {
                      experiment[keyPath: path] = nil
                  } else {
                      let text = try reader.string()
                      if let problem = check(text) { throw problem }
                      experiment[keyPath: path] = text
                  }
              },
              render: { $0[keyPath: path].map(YAMLText.quoted) ?? "null" })
    }

    static func choice<Choice: NamedChoice>(_ key: String, _ group: KeyGroup, _ path: Path<Choice>) -> Field {
        Field(key: key, group: group, isBookkeeping: false,
              apply: { (experiment, reader) throws(RecipeProblem) in
                  experiment[keyPath: path] = try reader.choice(Choice.self)
              },
              render: { YAMLText.quoted($0[keyPath: path].rawValue) })
    }

    static func doubles(_ key: String, _ group: KeyGroup, _ path: Path<[Double]>, count: ClosedRange<Int>,
                        each range: NumberRange, ascending: Bool = false) -> Field {
        Field(key: key, group: group, isBookkeeping: false,
              apply: { (experiment, reader) throws(RecipeProblem) in
                  experiment[keyPath: path] = try reader.doubles(count: count, each: range, ascending: ascending)
              },
              render: { YAMLText.list($0[keyPath: path].map(YAMLText.number)) })
    }

    static func swaLearningRate(_ key: String, _ path: Path<SWALearningRate>) -> Field {
        Field(key: key, group: .swa, isBookkeeping: false,
              apply: { (experiment, reader) throws(RecipeProblem) in
                  if case .scalar(let text, _) = reader.node.kind, text.lowercased() == "auto" {
                      experiment[keyPath: path] = .auto
                  } else if case .scalar(let text, _) = reader.node.kind, ValueReader.number(text) != nil {
                      experiment[keyPath: path] = .fixed(try reader.double(.nonNegative))
                  } else {
                      throw reader.wrongType("a number or 'auto'")
                  }
              },
              render: {
                  switch $0[keyPath: path] {
                  case .auto: "'auto'"
                  case .fixed(let value): YAMLText.number(value)
                  }
              })
    }

    // MARK: The table

    /// Every key, grouped, in the order a resolved recipe lists them.
    static let fields: [Field] = [
        // system
        int("mode", .system, \.system.mode, .between(0, 1))
            .compatibility("MindSpore's graph or eager mode; this engine always runs eagerly"),
        bool("distribute", .system, \.system.distribute),
        bool("val_while_train", .system, \.system.valWhileTrain),
        int("val_interval", .system, \.system.valInterval, .atLeastOne),
        int("log_interval", .system, \.system.logInterval, .atLeastOne),
        int("seed", .system, \.system.seed, .any),
        choice("device_target", .system, \.system.deviceTarget)
            .compatibility("this runner computes on the CPU"),
        optionalString("run_name", .system, \.system.runName, bookkeeping: true),
        string("db", .system, \.system.resultsStorePath, bookkeeping: true),
        optionalInt("num_threads", .system, \.system.numThreads, .atLeastOne),

        // dataset
        choice("dataset", .dataset, \.dataset.name),
        string("data_dir", .dataset, \.dataset.dataDirectory),
        string("train_split", .dataset, \.dataset.trainSplit),
        string("val_split", .dataset, \.dataset.valSplit),
        bool("dataset_download", .dataset, \.dataset.download)
            .defaultOnly("this runner does not download datasets; install them (Fashion-MNIST: tools/setup.sh) and set data_dir"),
        // Loader threads for image folders; the in-memory and synthetic sets note that they ignore it
        // (Experiment.settingNotes).
        int("num_parallel_workers", .dataset, \.dataset.numParallelWorkers, .atLeastOne),
        bool("shuffle", .dataset, \.dataset.shuffle),
        optionalInt("num_samples", .dataset, \.dataset.numSamples, .atLeastOne),
        int("batch_size", .dataset, \.dataset.batchSize, .atLeastOne),
        optionalInt("val_batch_size", .dataset, \.dataset.valBatchSize, .atLeastOne),
        bool("drop_remainder", .dataset, \.dataset.dropRemainder),
        bool("eval_shuffle", .dataset, \.dataset.evalShuffle)
            .compatibility("evaluation totals over a split do not depend on the order of its samples"),

        // augmentation
        int("image_resize", .augmentation, \.augmentation.imageResize, .atLeastOne),
        doubles("scale", .augmentation, \.augmentation.scale, count: 2...2, each: .unitOpenClosed, ascending: true),
        doubles("ratio", .augmentation, \.augmentation.ratio, count: 2...2, each: .positive, ascending: true),
        double("hflip", .augmentation, \.augmentation.hflip, .probability),
        double("vflip", .augmentation, \.augmentation.vflip, .probability),
        Field(key: "color_jitter", group: .augmentation, isBookkeeping: false,
              apply: { (experiment, reader) throws(RecipeProblem) in
                  if case .list = reader.node.kind {
                      let values = try reader.doubles(count: 3...4, each: .nonNegative)
                      if values.count == 4, values[3] > 0.5 {
                          throw .outOfRange(key: "color_jitter", value: reader.node.flowText,
                                            allowed: "brightness, contrast, saturation ≥ 0 and hue in [0, 0.5]")
                      }
                      experiment.augmentation.colorJitter = .perComponent(values)
                  } else if case .scalar(let text, _) = reader.node.kind, !reader.node.isNull,
                            ValueReader.number(text) != nil {
                      experiment.augmentation.colorJitter = .uniform(try reader.double(.nonNegative))
                  } else {
                      throw reader.wrongType("a number or a list of 3 or 4 numbers")
                  }
              },
              render: {
                  switch $0.augmentation.colorJitter {
                  case .uniform(let value): YAMLText.number(value)
                  case .perComponent(let values): YAMLText.list(values.map(YAMLText.number))
                  }
              }),
        choice("interpolation", .augmentation, \.augmentation.interpolation),
        optionalString("auto_augment", .augmentation, \.augmentation.autoAugment, check: autoAugmentProblem),
        int("aug_splits", .augmentation, \.augmentation.augSplits, .nonNegative)
            .defaultOnly("AugMix splits are not implemented yet"),
        double("re_prob", .augmentation, \.augmentation.reProb, .probability),
        doubles("re_scale", .augmentation, \.augmentation.reScale, count: 2...2, each: .unitOpenClosed, ascending: true),
        doubles("re_ratio", .augmentation, \.augmentation.reRatio, count: 2...2, each: .positive, ascending: true),
        Field(key: "re_value", group: .augmentation, isBookkeeping: false,
              apply: { (experiment, reader) throws(RecipeProblem) in
                  switch reader.node.kind {
                  case .list:
                      experiment.augmentation.reValue = .perChannel(try reader.doubles(count: 3...3, each: .any))
                  case .scalar(let text, _) where text.lowercased() == "random":
                      experiment.augmentation.reValue = .random
                  case .scalar(let text, _) where !reader.node.isNull && ValueReader.number(text) != nil:
                      experiment.augmentation.reValue = .constant(try reader.double(.any))
                  default:
                      throw reader.wrongType("a number, a list of 3 numbers, or 'random'")
                  }
              },
              render: {
                  switch $0.augmentation.reValue {
                  case .constant(let value): YAMLText.number(value)
                  case .perChannel(let values): YAMLText.list(values.map(YAMLText.number))
                  case .random: "'random'"
                  }
              }),
        int("re_max_attempts", .augmentation, \.augmentation.reMaxAttempts, .atLeastOne),
        doubles("mean", .augmentation, \.augmentation.mean, count: 1...4, each: .any),
        doubles("std", .augmentation, \.augmentation.std, count: 1...4, each: .positive),
        // Above 1 is legal (MindCV's volo_d4 uses 1.15, as timm does); 2 or more is likely a percentage.
        double("crop_pct", .augmentation, \.augmentation.cropPct,
               NumberRange(lower: 0, lowerInclusive: false, upper: 2, upperInclusive: false)),
        optionalInt("val_resize_size", .augmentation, \.augmentation.valResizeSize, .atLeastOne),
        optionalInt("val_crop_size", .augmentation, \.augmentation.valCropSize, .atLeastOne),
        double("mixup", .augmentation, \.augmentation.mixup, .nonNegative),
        double("cutmix", .augmentation, \.augmentation.cutmix, .nonNegative),
        double("cutmix_prob", .augmentation, \.augmentation.cutmixProb, .probability),
        int("aug_repeats", .augmentation, \.augmentation.augRepeats, .nonNegative),

        // model
        string("model", .model, \.model.name),
        optionalInt("num_classes", .model, \.model.numClasses, .atLeastOne),
        int("in_channels", .model, \.model.inChannels, .atLeastOne),
        optionalDouble("drop_rate", .model, \.model.dropRate, .unitHalfOpen),
        optionalDouble("drop_path_rate", .model, \.model.dropPathRate, .unitHalfOpen),
        Field(key: "pretrained", group: .model, isBookkeeping: false,
              apply: { (experiment, reader) throws(RecipeProblem) in
                  guard case .scalar(let text, let quoted) = reader.node.kind, !reader.node.isNull else {
                      throw reader.wrongType("False, True or a weights file such as 'weights/swinv2_tiny.safetensors'")
                  }
                  if !quoted, let flag = try? reader.bool() {
                      experiment.model.pretrained = flag ? .hub : .none
                  } else {
                      experiment.model.pretrained = .file(text)
                  }
              },
              render: {
                  switch $0.model.pretrained {
                  case .none: "False"
                  case .hub: "True"
                  case .file(let path): YAMLText.quoted(path)
                  }
              })
            .limited(to: "False or a weights file", "this runner cannot download pretrained weights") {
                $0.model.pretrained != .hub
            },
        Field(key: "model_kwargs", group: .model, isBookkeeping: false,
              apply: { (experiment, reader) throws(RecipeProblem) in
                  if reader.node.isNull {
                      experiment.model.kwargs = [:]
                      return
                  }
                  guard case .mapping = reader.node.kind,
                        case .mapping(let values) = try reader.configValue()
                  else { throw reader.wrongType("a mapping such as {embed_dim: 64, depths: [2, 4]}") }
                  experiment.model.kwargs = values
              },
              render: { YAMLText.blockMapping($0.model.kwargs) }),

        // checkpoint
        string("ckpt_path", .checkpoint, \.checkpoint.path, emptyIfNull: true),
        bool("resume_opt", .checkpoint, \.checkpoint.resumeOptimizer),
        int("keep_checkpoint_max", .checkpoint, \.checkpoint.keepMax, .atLeastOne),
        string("ckpt_save_dir", .checkpoint, \.checkpoint.saveDirectory),
        int("ckpt_save_interval", .checkpoint, \.checkpoint.saveInterval, .atLeastOne),
        choice("ckpt_save_policy", .checkpoint, \.checkpoint.savePolicy),

        // training
        int("epoch_size", .training, \.training.epochs, .atLeastOne),
        bool("dataset_sink_mode", .training, \.training.datasetSinkMode)
            .compatibility("MindSpore's device data sinking; batches go to the engine directly"),
        bool("ema", .training, \.training.ema),
        double("ema_decay", .training, \.training.emaDecay, .probability),
        bool("clip_grad", .training, \.training.clipGrad),
        double("clip_value", .training, \.training.clipValue, .positive),
        optionalDouble("layer_decay", .training, \.training.layerDecay, .unitOpenClosed)
            .defaultOnly("layer-wise learning-rate decay is not implemented yet"),
        int("gradient_accumulation_steps", .training, \.training.gradientAccumulationSteps, .atLeastOne),
        int("ema_steps", .training, \.training.emaSteps, .atLeastOne),
        bool("ema_adjust", .training, \.training.emaAdjust),

        // swa
        bool("swa", .swa, \.swa.enabled),
        optionalInt("swa_start_epoch", .swa, \.swa.startEpoch, .atLeastOne),
        swaLearningRate("swa_lr", \.swa.lr),
        swaLearningRate("swa_lr2", \.swa.lr2),
        int("swa_freq", .swa, \.swa.frequency, .atLeastOne),
        choice("swa_lr_schedule", .swa, \.swa.lrSchedule),
        int("swa_anneal_epochs", .swa, \.swa.annealEpochs, .nonNegative),

        // optimizer
        choice("opt", .optimizer, \.optimizer.name),
        double("momentum", .optimizer, \.optimizer.momentum, .nonNegative),
        double("weight_decay", .optimizer, \.optimizer.weightDecay, .nonNegative),
        bool("use_nesterov", .optimizer, \.optimizer.useNesterov),
        choice("weight_decay_filter", .optimizer, \.optimizer.weightDecayFilter),
        double("eps", .optimizer, \.optimizer.eps, .positive),
        doubles("opt_betas", .optimizer, \.optimizer.betas, count: 2...2, each: .unitHalfOpen),
        optionalDouble("norm_weight_decay", .optimizer, \.optimizer.normWeightDecay, .nonNegative),
        optionalDouble("bias_weight_decay", .optimizer, \.optimizer.biasWeightDecay, .nonNegative),
        optionalDouble("transformer_embedding_decay", .optimizer, \.optimizer.transformerEmbeddingDecay, .nonNegative),

        // scheduler
        choice("scheduler", .scheduler, \.scheduler.name),
        double("lr", .scheduler, \.scheduler.lr, .nonNegative),
        double("min_lr", .scheduler, \.scheduler.minLR, .nonNegative),
        int("warmup_epochs", .scheduler, \.scheduler.warmupEpochs, .nonNegative),
        choice("warmup_method", .scheduler, \.scheduler.warmupMethod),
        double("warmup_factor", .scheduler, \.scheduler.warmupFactor, .probability),
        int("decay_epochs", .scheduler, \.scheduler.decayEpochs, .nonNegative),
        double("decay_rate", .scheduler, \.scheduler.decayRate, .positive),
        Field(key: "multi_step_decay_milestones", group: .scheduler, isBookkeeping: false,
              apply: { (experiment, reader) throws(RecipeProblem) in
                  experiment.scheduler.multiStepDecayMilestones = try reader.ints(each: .nonNegative, increasing: true)
              },
              render: { YAMLText.list($0.scheduler.multiStepDecayMilestones.map(String.init)) }),
        bool("lr_epoch_stair", .scheduler, \.scheduler.lrEpochStair),
        int("num_cycles", .scheduler, \.scheduler.numCycles, .atLeastOne),
        double("cycle_decay", .scheduler, \.scheduler.cycleDecay, .positive),

        // loss
        choice("loss", .loss, \.loss.name),
        double("label_smoothing", .loss, \.loss.labelSmoothing, .unitHalfOpen),
        double("aux_factor", .loss, \.loss.auxFactor, .nonNegative)
            .compatibility("none of this runner's models has an auxiliary head"),
        choice("reduction", .loss, \.loss.reduction)
            .limited(to: "mean or sum", "a training loss must be one number") { $0.loss.reduction != .none },

        // precision
        // O1–O3 select bfloat16 products where the processor has AVX512-BF16 (AMPLevel); the
        // trainer notes what each level keeps in float32, and a processor without the instructions.
        choice("amp_level", .precision, \.precision.ampLevel),
        choice("val_amp_level", .precision, \.precision.valAmpLevel),
        optionalString("amp_cast_list", .precision, \.precision.ampCastList).compatibility(noCastLists),
        choice("loss_scale_type", .precision, \.precision.lossScaleType).compatibility(noLossScaling),
        double("loss_scale", .precision, \.precision.lossScale, .positive).compatibility(noLossScaling),
        bool("drop_overflow_update", .precision, \.precision.dropOverflowUpdate).compatibility(noLossScaling),
    ]

    static let noCastLists = "MindSpore cell lists have no counterpart here: amp_level casts every linear and convolution product to bfloat16 and keeps the rest float32"
    static let noLossScaling = "bfloat16 keeps float32's exponent range and every gradient is float32, so no loss scaling is needed (non-finite losses stop the run)"

    /// The policy families MindCV's `transforms_imagenet_train` accepts (by prefix).
    /// The policy names `auto_augment` starts with: MindCV's, then timm's. The options after
    /// the first dash are read when the run is assembled (the Datasets module's parser).
    static let autoAugmentPolicies = ["randaug", "autoaug", "autoaugr", "3a", "trivialaugwide", "augmix",
                                      "rand", "original", "originalr", "v0", "v0r"]

    static func autoAugmentProblem(_ policy: String) -> RecipeProblem? {
        let family = String(policy.prefix { $0 != "-" })
        if autoAugmentPolicies.contains(family) { return nil }
        return .unknownName(
            key: "auto_augment", value: policy,
            suggestion: Suggestions.nearest(to: family, in: autoAugmentPolicies),
            valid: autoAugmentPolicies.map { "\($0)[-options]" })
    }
}
