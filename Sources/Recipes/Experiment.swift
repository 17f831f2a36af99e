/// One training or evaluation experiment: everything a MindCV-style YAML recipe says, typed.
///
/// The YAML stays flat with MindCV's key names (`lr`, `batch_size`, `epoch_size`, …) so a MindCV
/// recipe loads unchanged; in Swift the keys are grouped by concern. Each property's documentation
/// names its YAML key. Defaults are MindCV's (`config.py`) unless a property says otherwise.
///
/// Load one with ``load(path:overrides:)``; write it back with ``resolvedYAML()``.
/// Two experiments are equal when every setting is equal; ``provenance`` (where each value came
/// from) does not take part in equality.
public struct Experiment: Sendable {
    /// Process-level settings: run mode, logging, seeding, where results go.
    public var system = System()
    /// Which data to read and how to batch it.
    public var dataset = Dataset()
    /// Training-time and evaluation-time image transforms.
    public var augmentation = Augmentation()
    /// The network to build.
    public var model = Model()
    /// Where checkpoints come from and go to.
    public var checkpoint = Checkpoint()
    /// Length of training and per-step extras: EMA, gradient clipping, accumulation.
    public var training = Training()
    /// Stochastic weight averaging (keras-swa's options; MindCV has none).
    public var swa = StochasticWeightAveraging()
    /// The optimizer and its weight-decay policy.
    public var optimizer = Optimizer()
    /// The learning-rate schedule.
    public var scheduler = Scheduler()
    /// The training loss.
    public var loss = Loss()
    /// Mixed-precision settings, accepted for MindCV compatibility.
    public var precision = Precision()
    /// Where each key's value came from (file line, command-line override, or default).
    /// Used to point error messages at the right place; ignored by `==`.
    public var provenance = Provenance()

    /// An experiment with every key at its default.
    public init() {}
}

extension Experiment: Equatable {
    /// Compares every setting; ``provenance`` is deliberately left out, so an experiment
    /// loaded back from its ``resolvedYAML()`` equals the original.
    public static func == (lhs: Experiment, rhs: Experiment) -> Bool {
        lhs.system == rhs.system && lhs.dataset == rhs.dataset
            && lhs.augmentation == rhs.augmentation && lhs.model == rhs.model
            && lhs.checkpoint == rhs.checkpoint && lhs.training == rhs.training
            && lhs.swa == rhs.swa && lhs.optimizer == rhs.optimizer
            && lhs.scheduler == rhs.scheduler && lhs.loss == rhs.loss
            && lhs.precision == rhs.precision
    }
}

extension Experiment {
    /// Process-level settings.
    public struct System: Sendable, Equatable {
        /// `mode`: MindSpore's GRAPH_MODE (0) or PYNATIVE_MODE (1). Accepted for compatibility.
        public var mode = 0
        /// `distribute`: data-parallel over several processes. MindCV's recipes say `True`; the
        /// launcher (`mpirun -np N`) decides whether there really are several — without one the
        /// run trains on this process with a note. Set `False` explicitly, under `mpirun` rank 0
        /// trains alone.
        public var distribute = false
        /// `val_while_train`: evaluate on the validation split during training.
        public var valWhileTrain = false
        /// `val_interval`: epochs between evaluations while training.
        public var valInterval = 1
        /// `log_interval`: steps between training log lines.
        public var logInterval = 100
        /// `seed`: seed for every random stream.
        public var seed = 42
        /// `device_target`: MindCV's Ascend/GPU/CPU. Default `CPU` here (MindCV: `Ascend`),
        /// since this runner computes on the CPU.
        public var deviceTarget: DeviceTarget = .cpu
        /// `run_name` (not in MindCV): the run's name in the results store; `nil` lets the
        /// runner derive one from the model and the time.
        public var runName: String? = nil
        /// `db` (not in MindCV): path of the SQLite results store.
        public var resultsStorePath = "runs/results.sqlite"
        /// `num_threads` (not in MindCV): worker threads for compute; `nil` uses every core.
        public var numThreads: Int? = nil
        /// Every key of the group at its default (MindCV's, where MindCV has the key).
        public init() {}
    }

    /// Which data to read and how to batch it.
    public struct Dataset: Sendable, Equatable {
        /// `dataset`: the dataset's kind.
        public var name: DatasetName = .imagenet
        /// `data_dir`: the dataset's root folder.
        public var dataDirectory = "./"
        /// `train_split`: sub-folder or split name used for training.
        public var trainSplit = "train"
        /// `val_split`: sub-folder or split name used for validation.
        public var valSplit = "val"
        /// `dataset_download`: download the dataset if missing (not possible offline; kept for
        /// compatibility).
        public var download = false
        /// `num_parallel_workers`: threads that decode and transform an image folder's batches ahead
        /// of the trainer (each split's loader has its own); in-memory and synthetic sets ignore it.
        public var numParallelWorkers = 8
        /// `shuffle`: shuffle the training set each epoch.
        public var shuffle = true
        /// `num_samples`: use only this many samples; `nil` uses all.
        public var numSamples: Int? = nil
        /// `batch_size`: training batch size per process.
        public var batchSize = 128
        /// `val_batch_size` (not in MindCV): evaluation batch size; `nil` uses `batch_size`.
        public var valBatchSize: Int? = nil
        /// `drop_remainder`: drop the last incomplete training batch.
        public var dropRemainder = true
        /// `eval_shuffle`: shuffle the evaluation data (MindCV lists it among its AMP keys).
        public var evalShuffle = false
        /// Every key of the group at its default (MindCV's, where MindCV has the key).
        public init() {}
    }

    /// Image transforms.
    public struct Augmentation: Sendable, Equatable {
        /// `image_resize`: training crop size and evaluation crop size, in pixels.
        public var imageResize = 224
        /// `scale`: random-resized-crop area range, as fractions of the image.
        public var scale: [Double] = [0.08, 1.0]
        /// `ratio`: random-resized-crop aspect-ratio range.
        public var ratio: [Double] = [0.75, 1.333]
        /// `hflip`: probability of a horizontal flip.
        public var hflip = 0.5
        /// `vflip`: probability of a vertical flip.
        public var vflip = 0.0
        /// `color_jitter`: brightness/contrast/saturation(/hue) jitter; used only when
        /// `auto_augment` is unset (as in MindCV).
        public var colorJitter: ColorJitter = .uniform(0.4)
        /// `interpolation`: resize filter.
        public var interpolation: Interpolation = .bilinear
        /// `auto_augment`: policy string such as `randaug-m9-mstd0.5-inc1`, `autoaug`,
        /// `trivialaugwide`, `augmix`; `nil` for none.
        public var autoAugment: String? = nil
        /// `aug_splits`: augmentation splits for AugMix/JSD (0 = off).
        public var augSplits = 0
        /// `re_prob`: random-erasing probability.
        public var reProb = 0.0
        /// `re_scale`: random-erasing area range.
        public var reScale: [Double] = [0.02, 0.33]
        /// `re_ratio`: random-erasing aspect-ratio range.
        public var reRatio: [Double] = [0.3, 3.3]
        /// `re_value`: what fills an erased area.
        public var reValue: ErasingFill = .constant(0)
        /// `re_max_attempts`: tries to place an erased area.
        public var reMaxAttempts = 10
        /// `mean`: per-channel mean on the 0–255 scale (ImageNet's × 255).
        public var mean: [Double] = [123.675, 116.28, 103.53]
        /// `std`: per-channel standard deviation on the 0–255 scale (ImageNet's × 255).
        public var std: [Double] = [58.395, 57.12, 57.375]
        /// `crop_pct`: evaluation resizes to `image_resize / crop_pct`, then centre-crops; in (0, 2).
        public var cropPct = 0.875
        /// `val_resize_size` (torchvision's `--val-resize-size`): the shorter side evaluation
        /// images are resized to before the centre crop; `nil` takes ⌊crop size / crop_pct⌋.
        public var valResizeSize: Int? = nil
        /// `val_crop_size` (torchvision's `--val-crop-size`): the evaluation crop; `nil` is
        /// `image_resize`. Another size needs a network that takes any input size (ResNet).
        public var valCropSize: Int? = nil
        /// `mixup`: mixup's Beta(α, α) parameter; 0 turns mixup off.
        public var mixup = 0.0
        /// `cutmix`: cutmix's Beta(α, α) parameter; 0 turns cutmix off.
        public var cutmix = 0.0
        /// `cutmix_prob`: probability of applying mixup or cutmix to a batch (MindCV passes it as
        /// timm's `prob`; the choice between the two is an even chance when both are on).
        public var cutmixProb = 1.0
        /// `aug_repeats`: repeated-augmentation sampler repeats, each training sample read this
        /// many times in a row within an epoch of the usual length (0 or 1 = off).
        public var augRepeats = 0
        /// Every key of the group at its default (MindCV's, where MindCV has the key).
        public init() {}
    }

    /// The network to build.
    public struct Model: Sendable, Equatable {
        /// `model`: registry name of the architecture. Checked by the model registry through
        /// ``Experiment/validate(modelNames:)``.
        public var name = "mobilenet_v2_035_224"
        /// `num_classes`: classifier outputs; `nil` takes the dataset's class count.
        public var numClasses: Int? = nil
        /// `in_channels`: input image channels.
        public var inChannels = 3
        /// `drop_rate`: dropout before the classifier; `nil` keeps the architecture's default.
        public var dropRate: Double? = nil
        /// `drop_path_rate`: stochastic-depth rate; `nil` keeps the architecture's default.
        public var dropPathRate: Double? = nil
        /// `pretrained`: start from the weights of a file (timm, torchvision or Hugging Face
        /// names; a classifier of another size is re-initialised). MindCV's `True` asks for its
        /// hub's weights, which this runner cannot download, and is refused.
        public var pretrained: PretrainedWeights = .none
        /// `model_kwargs` (not in MindCV): architecture overrides such as `embed_dim`, `depths`,
        /// `num_heads`, `window_size`, `patch_size`, `img_size`, passed to the model builder.
        public var kwargs: [String: ConfigValue] = [:]
        /// Every key of the group at its default (MindCV's, where MindCV has the key).
        public init() {}
    }

    /// Checkpoint loading and saving.
    public struct Checkpoint: Sendable, Equatable {
        /// `ckpt_path`: checkpoint to initialise from or resume; empty for none.
        public var path = ""
        /// `resume_opt`: also restore optimizer state and the epoch from `ckpt_path`.
        public var resumeOptimizer = false
        /// `keep_checkpoint_max`: checkpoints kept on disk.
        public var keepMax = 10
        /// `ckpt_save_dir`: the folder that holds run folders (`<dir>/<date>-<time>-<name>/`).
        /// Default `runs` (MindCV: `./ckpt`, a folder without a run of its own).
        public var saveDirectory = "runs"
        /// `ckpt_save_interval`: epochs between checkpoints.
        public var saveInterval = 1
        /// `ckpt_save_policy`: keep the latest k or the top k by validation accuracy.
        public var savePolicy: CheckpointPolicy = .latestK
        /// Every key of the group at its default (MindCV's, where MindCV has the key).
        public init() {}
    }

    /// Training length and per-step extras (MindCV keeps these among its model keys).
    public struct Training: Sendable, Equatable {
        /// `epoch_size`: number of training epochs.
        public var epochs = 90
        /// `dataset_sink_mode`: MindSpore's data sinking; accepted for compatibility.
        public var datasetSinkMode = true
        /// `ema`: keep an exponential moving average of the weights.
        public var ema = false
        /// `ema_decay`: EMA decay per step.
        public var emaDecay = 0.9999
        /// `clip_grad`: clip gradients by global norm.
        public var clipGrad = false
        /// `clip_value`: the global-norm bound used when `clip_grad` is on.
        public var clipValue = 15.0
        /// `layer_decay`: layer-wise learning-rate decay; `nil` for none.
        public var layerDecay: Double? = nil
        /// `gradient_accumulation_steps`: batches whose gradients are summed per update, each
        /// loss weighted by its share of the samples, so an update is the one the concatenated
        /// batch would give (exactly, without batch norm). The schedule counts updates; an epoch
        /// whose batch count is not a multiple ends with a shorter group (timm's rule).
        public var gradientAccumulationSteps = 1
        /// `ema_steps` (torchvision's `--model-ema-steps`): the average is updated after every
        /// `ema_steps`-th update of an epoch, counting from its first (updates 0, k, 2k, …).
        public var emaSteps = 1
        /// `ema_adjust`: torchvision's model EMA — `ema_decay` is adjusted for the batch, world
        /// size, `ema_steps` and `epoch_size` (`α = min(1, (1 − decay) · world · batch · steps /
        /// epochs)`, decay `1 − α`), and during the warm-up epochs the average restarts from the
        /// weights at every update. Off: MindCV's per-update `ema_decay`.
        public var emaAdjust = false
        /// Every key of the group at its default (MindCV's, where MindCV has the key).
        public init() {}
    }

    /// Stochastic weight averaging, following keras-swa.
    public struct StochasticWeightAveraging: Sendable, Equatable {
        /// `swa`: turn SWA on.
        public var enabled = false
        /// `swa_start_epoch`: 1-based epoch where averaging starts (keras-swa's `start_epoch`);
        /// required when `swa` is on.
        public var startEpoch: Int? = nil
        /// `swa_lr`: the SWA learning rate; `auto` is 0.1 × `lr`.
        public var lr: SWALearningRate = .auto
        /// `swa_lr2`: the cyclic schedule's upper rate; `auto` is swa_lr + 0.25 × (lr − swa_lr).
        public var lr2: SWALearningRate = .auto
        /// `swa_freq`: epochs between averaged snapshots (the cycle length when cyclic).
        public var frequency = 1
        /// `swa_lr_schedule`: how the learning rate behaves around averaging — keras-swa's
        /// `manual`, `constant`, `cyclic`, or torch's `SWALR` annealing `cos` / `linear`.
        public var lrSchedule: SWASchedule = .manual
        /// `swa_anneal_epochs` (torch's `SWALR` `anneal_epochs`): epochs over which `cos` and
        /// `linear` anneal to `swa_lr`; 0 jumps to it.
        public var annealEpochs = 10
        /// Every key of the group at its default (MindCV's, where MindCV has the key).
        public init() {}
    }

    /// The optimizer.
    public struct Optimizer: Sendable, Equatable {
        /// `opt`: optimizer name.
        public var name: OptimizerName = .adam
        /// `momentum`: momentum for SGD-family and RMSProp.
        public var momentum = 0.9
        /// `weight_decay`: decoupled (AdamW) or L2 weight decay.
        public var weightDecay = 1e-6
        /// `use_nesterov`: Nesterov momentum.
        public var useNesterov = false
        /// `weight_decay_filter`: which parameters are exempt from weight decay.
        public var weightDecayFilter: WeightDecayFilter = .disable
        /// `eps`: denominator term for adaptive optimizers.
        public var eps = 1e-10
        /// `opt_betas` (not in MindCV): Adam-family betas.
        public var betas: [Double] = [0.9, 0.999]
        /// `norm_weight_decay` (torchvision's `--norm-weight-decay`): weight decay for
        /// normalisation-layer parameters; `nil` uses `weight_decay`.
        public var normWeightDecay: Double? = nil
        /// `bias_weight_decay` (torchvision's `--bias-weight-decay`): weight decay for biases
        /// (parameters torchvision names `bias`; timm's attention `q_bias`/`v_bias`, which are
        /// torchvision's `qkv.bias`, count too); `nil` uses `weight_decay`.
        public var biasWeightDecay: Double? = nil
        /// `transformer_embedding_decay` (torchvision's `--transformer-embedding-decay`): weight
        /// decay for the parameters torchvision names `class_token`, `position_embedding` and
        /// `relative_position_bias_table`, and for their counterparts in this runner's networks
        /// (timm's `no_weight_decay()` list: Swin V2's continuous position bias MLP `cpb_mlp` and
        /// `logit_scale`, Twins' `pos_block`). torchvision's own keys match nothing in its Swin V2,
        /// so its published `swin_v2_t` run decayed those at `weight_decay`; leave this key out
        /// to reproduce that. The run's notes say which parameters it covered.
        public var transformerEmbeddingDecay: Double? = nil
        /// Every key of the group at its default (MindCV's, where MindCV has the key).
        public init() {}
    }

    /// The learning-rate schedule.
    public struct Scheduler: Sendable, Equatable {
        /// `scheduler`: schedule name.
        public var name: SchedulerName = .cosineDecay
        /// `lr`: peak (base) learning rate.
        public var lr = 0.001
        /// `min_lr`: the floor for decaying schedules.
        public var minLR = 1e-6
        /// `warmup_epochs`: linear warm-up length.
        public var warmupEpochs = 3
        /// `warmup_method` (torchvision's `--lr-warmup-method`): `linear` rises from
        /// `warmup_factor × lr` to `lr`; `constant` holds `warmup_factor × lr` through the warm-up.
        public var warmupMethod: WarmupMethod = .linear
        /// `warmup_factor`: warm-up starts at `warmup_factor × lr` (torchvision's
        /// `lr_warmup_decay`; timm's absolute `warmup_lr` is `warmup_factor × lr` here).
        public var warmupFactor = 0.0
        /// `decay_epochs`: epochs over which the schedule decays.
        public var decayEpochs = 100
        /// `decay_rate`: multiplicative decay for step/exponential schedules.
        public var decayRate = 0.9
        /// `multi_step_decay_milestones`: epochs where `multi_step_decay` multiplies by `decay_rate`.
        public var multiStepDecayMilestones = [30, 60, 90]
        /// `lr_epoch_stair`: change the rate once per epoch instead of every step.
        public var lrEpochStair = false
        /// `num_cycles`: cycles for cosine decay and cyclic schedules.
        public var numCycles = 1
        /// `cycle_decay`: peak multiplier per cosine cycle.
        public var cycleDecay = 1.0
        /// Every key of the group at its default (MindCV's, where MindCV has the key).
        public init() {}
    }

    /// The training loss.
    public struct Loss: Sendable, Equatable {
        /// `loss`: loss name (case-insensitive in the file, as in MindCV).
        public var name: LossName = .crossEntropy
        /// `label_smoothing`: label-smoothing ε.
        public var labelSmoothing = 0.0
        /// `aux_factor`: weight of auxiliary-head losses.
        public var auxFactor = 0.0
        /// `reduction`: how per-sample losses are reduced.
        public var reduction: LossReduction = .mean
        /// Every key of the group at its default (MindCV's, where MindCV has the key).
        public init() {}
    }

    /// Mixed-precision settings (the tensor engine computes in Float32; these are kept so MindCV
    /// recipes load and so a later engine can honour them).
    public struct Precision: Sendable, Equatable {
        /// `amp_level`: automatic mixed-precision level for training.
        public var ampLevel: AMPLevel = .o0
        /// `val_amp_level`: automatic mixed-precision level for validation.
        public var valAmpLevel: AMPLevel = .o0
        /// `amp_cast_list`: MindSpore cell list to cast; `nil` uses the built-in lists.
        public var ampCastList: String? = nil
        /// `loss_scale_type`: fixed, dynamic or automatic loss scaling.
        public var lossScaleType: LossScaleType = .fixed
        /// `loss_scale`: the (initial) loss scale.
        public var lossScale = 1.0
        /// `drop_overflow_update`: skip the update when gradients overflow.
        public var dropOverflowUpdate = false
        /// Every key of the group at its default (MindCV's, where MindCV has the key).
        public init() {}
    }
}
