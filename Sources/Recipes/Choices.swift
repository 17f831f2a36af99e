/// A setting whose value is one name out of a fixed list (`opt`, `scheduler`, `dataset`, …).
///
/// The raw value is the canonical spelling written by ``Experiment/resolvedYAML()``. Reading
/// ignores case, as MindCV does (`opt: 'SGD'`, `loss: 'ce'`).
public protocol NamedChoice: RawRepresentable<String>, CaseIterable, Sendable, Equatable {}

extension NamedChoice {
    /// Every accepted name, in declaration order.
    public static var validNames: [String] { allCases.map(\.rawValue) }

    /// The case whose name matches `name` ignoring case, or `nil`.
    public init?(matching name: String) {
        let lowered = name.lowercased()
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else {
            return nil
        }
        self = match
    }
}

/// `opt`: the optimizers MindCV names.
public enum OptimizerName: String, NamedChoice {
    case sgd, momentum, nesterov, adam, adamw, lion, rmsprop, adagrad, lamb, nadam
}

/// `scheduler`: MindCV's learning-rate schedules (`warmup_cosine_decay` appears in its recipes).
public enum SchedulerName: String, NamedChoice {
    case constant
    case cosineDecay = "cosine_decay"
    case exponentialDecay = "exponential_decay"
    case stepDecay = "step_decay"
    case multiStepDecay = "multi_step_decay"
    case oneCycle = "one_cycle"
    case cyclic
    case warmupCosineDecay = "warmup_cosine_decay"
}

/// `dataset`: the dataset kinds this runner reads. `folder` is an ImageFolder-style tree
/// (`data_dir/<split>/<class>/<image>`); `imagenet` is the same layout. `cifar10` and `cifar100`
/// are the binary distributions in `data_dir`.
public enum DatasetName: String, NamedChoice {
    case fashionMNIST = "fashion_mnist"
    case mnist, synthetic, imagenet, cifar10, cifar100, folder

    /// Whether the images are files decoded by loader threads (`num_parallel_workers`) rather
    /// than held in memory (IDX, CIFAR) or generated (synthetic).
    public var isImageFolder: Bool { self == .imagenet || self == .folder }
}

/// `loss`: cross-entropy or binary cross-entropy (MindCV's `CE` and `BCE`).
public enum LossName: String, NamedChoice {
    case crossEntropy = "CE"
    case binaryCrossEntropy = "BCE"
}

/// `reduction`: how per-sample losses combine.
public enum LossReduction: String, NamedChoice {
    case mean, sum, none
}

/// `amp_level` / `val_amp_level`: MindSpore's mixed-precision levels, O0 (all Float32) to O3.
///
/// In MindSpore, O1 casts the listed compute cells (convolutions, dense layers, matrix products)
/// to half precision, O2 the whole network but batch norm, O3 everything. On this backend the
/// half-precision type is bfloat16 (float32's exponent range, so no loss scaling) and it is used
/// where it is exact to define and fast: every linear-layer and convolution product, forward and
/// both gradients (all but the thinnest: depth below 32, fewer than 16 rows or columns), takes
/// bfloat16 operands with float32 accumulation at O1, O2 and O3 alike.
/// Norms, softmax and its statistics, window attention's fused products, GELU, losses, the
/// optimizer and the master weights stay float32 at every level (O2 and O3 cast more in
/// MindSpore; the run's notes say so). O0 is float32 throughout.
public enum AMPLevel: String, NamedChoice {
    case o0 = "O0", o1 = "O1", o2 = "O2", o3 = "O3"

    /// Whether the level asks for half-precision products (O1–O3).
    public var isMixed: Bool { self != .o0 }
}

/// `loss_scale_type`.
public enum LossScaleType: String, NamedChoice {
    case fixed, dynamic, auto
}

/// `ckpt_save_policy`: keep the most recent checkpoints or the best by validation top-1.
public enum CheckpointPolicy: String, NamedChoice {
    case latestK = "latest_k"
    case topK = "top_k"
}

/// `interpolation`: the resize filter.
public enum Interpolation: String, NamedChoice {
    case nearest, bilinear, bicubic, area
    /// timm's training choice: bilinear or bicubic, drawn per image.
    case random
}

/// `pretrained`: where a run's initial weights come from.
public enum PretrainedWeights: Sendable, Equatable {
    /// Initialised by the model's own rules (`False`).
    case none
    /// MindCV's `True`: the hub's weights for the model (not available here).
    case hub
    /// The weights in this file.
    case file(String)
}

/// `weight_decay_filter`: which parameters skip weight decay.
public enum WeightDecayFilter: String, NamedChoice {
    /// Every parameter decays.
    case disable
    /// MindSpore's automatic filter: normalisation-layer scales and shifts do not decay; biases do.
    case auto
    /// Normalisation parameters and biases do not decay.
    case normAndBias = "norm_and_bias"
}

/// `device_target`.
public enum DeviceTarget: String, NamedChoice {
    case ascend = "Ascend", gpu = "GPU", cpu = "CPU"
}

/// `swa_lr_schedule`: keras-swa's `lr_schedule`.
public enum SWASchedule: String, NamedChoice {
    /// The run's own schedule is left alone.
    case manual
    /// Anneal to `swa_lr` and hold it.
    case constant
    /// Within each `swa_freq`-epoch cycle fall linearly from `swa_lr2` to `swa_lr`.
    case cyclic
    /// torch's `SWALR` with cosine annealing: from the rate reached at `swa_start_epoch` to
    /// `swa_lr` over `swa_anneal_epochs`, once per epoch; batch norm re-estimated by `update_bn`.
    case cos
    /// torch's `SWALR` with linear annealing.
    case linear

    /// Whether this is one of torch's `SWALR` annealing strategies rather than keras-swa's.
    public var isTorchAnnealing: Bool { self == .cos || self == .linear }
}

/// `warmup_method`: how the learning rate warms up (torchvision's `--lr-warmup-method`).
public enum WarmupMethod: String, NamedChoice {
    /// From `warmup_factor × lr` up to `lr`.
    case linear
    /// `warmup_factor × lr` throughout the warm-up.
    case constant
}

/// `swa_lr` / `swa_lr2`: a fixed rate, or keras-swa's `auto` rule.
public enum SWALearningRate: Sendable, Equatable {
    /// Derived from `lr` as keras-swa does.
    case auto
    /// This rate.
    case fixed(Double)
}

/// `color_jitter`: one factor for brightness, contrast and saturation, or one per channel of the
/// jitter (3 values: brightness, contrast, saturation; 4 adds hue), as MindCV accepts.
public enum ColorJitter: Sendable, Equatable {
    /// The same factor for brightness, contrast and saturation.
    case uniform(Double)
    /// Brightness, contrast, saturation and optionally hue.
    case perComponent([Double])
}

/// `re_value`: what random erasing paints (MindSpore's `RandomErasing(value:)`).
public enum ErasingFill: Sendable, Equatable {
    /// One value for every channel.
    case constant(Double)
    /// One value per channel.
    case perChannel([Double])
    /// Fresh random values per pixel (`'random'`).
    case random
}

/// A small JSON-like value: the type of `model_kwargs` entries, whose meaning only the model
/// builder knows.
public enum ConfigValue: Sendable, Equatable {
    /// `null`, `~` or an empty value.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number such as `64`.
    case int(Int)
    /// A number with a fraction or exponent such as `2.5` or `1e-3`.
    case double(Double)
    /// Any other scalar, and every quoted one.
    case string(String)
    /// A sequence such as `[2, 4]`.
    case list([ConfigValue])
    /// A nested mapping such as `{a: 1}`.
    case mapping([String: ConfigValue])

    /// The value as an integer, if it is one.
    public var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// The value as a number (integers widen), if it is one.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// The value as a list of integers, if it is one.
    public var intList: [Int]? {
        guard case .list(let items) = self else { return nil }
        let ints = items.compactMap(\.intValue)
        return ints.count == items.count ? ints : nil
    }

    /// The value as a string, if it is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value as a boolean, if it is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}

/// Where a setting's value came from.
public enum Origin: Sendable, Equatable, CustomStringConvertible {
    /// The built-in default.
    case defaultValue
    /// A line and column of a recipe file.
    case file(path: String, line: Int, column: Int)
    /// A `key=value` override given on the command line.
    case override(String)

    /// `path:line:column`, `command line override '…'`, or `default`.
    public var description: String {
        switch self {
        case .defaultValue: "default"
        case .file(let path, let line, let column): "\(path):\(line):\(column)"
        case .override(let text): "command line override '\(text)'"
        }
    }
}

/// Where each key of an ``Experiment`` was set. Keys never set are at their default.
public struct Provenance: Sendable, Equatable {
    /// The recipe file the experiment was loaded from, if any.
    public var sourcePath: String? = nil
    /// YAML key (`lr`, `model_kwargs.embed_dim`) to where its value was last set.
    public var origins: [String: Origin] = [:]

    public init() {}

    /// Where `key`'s value came from.
    public func origin(of key: String) -> Origin {
        origins[key] ?? .defaultValue
    }
}
