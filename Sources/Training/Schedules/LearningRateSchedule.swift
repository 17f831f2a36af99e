import Foundation

/// The learning rate of every training step, as MindCV's `create_scheduler` computes it.
///
/// Follows `mindcv/scheduler/scheduler_factory.py` and `mindcv/scheduler/dynamic_lr.py`
/// (mindspore-lab/mindcv at 51b0636, read for this port):
///
/// - MindCV builds a list of `steps_per_epoch × epochs` rates: a linear warm-up of
///   `warmup_epochs` followed by the main schedule over the remaining `epochs − warmup_epochs`.
///   ``learningRate(step:)`` computes entry `step` of that list without building it; past its end
///   the last rate is kept.
/// - The warm-up is `lr · (f + (1 − f) · min(e, W) / W)` with `f = warmup_factor` and `e` the
///   fractional epoch `step / steps_per_epoch` (`linear_refined_lr`), or its floor with
///   `lr_epoch_stair` (`linear_lr`): per step by default, so the first step's rate is `lr · f`.
///   The `constant` warm-up (torchvision's `ConstantLR`) holds `lr · f` instead.
/// - The main phase counts its own epochs from 0, so `decay_epochs` and the milestones of
///   `multi_step_decay` are measured from the end of the warm-up.
/// - `cosine_decay` uses `cosine_decay_refined_lr` (per step) or, with `lr_epoch_stair`,
///   `cosine_decay_lr`: cycle `c` runs `decay_epochs` epochs from `lr·cycle_decay^c` to `min_lr`;
///   cycles past the main phase are cut off, and epochs after the last cycle sit at `min_lr`.
/// - `step_decay` and `multi_step_decay` change only at epoch boundaries; `exponential_decay` and
///   `polynomial_decay` follow `lr_epoch_stair`.
/// - `one_cycle` and `cyclic` are per step and refuse a warm-up or `lr_epoch_stair`, as MindCV
///   does; `one_cycle` ends at `min_lr` (MindCV sets `final_div_factor = (lr/25)/min_lr`) and
///   `cyclic`'s half cycle is `⌊steps / num_cycles / 2⌋` steps.
///
/// These coincide with PyTorch's schedulers (`ExponentialLR`, `StepLR`, `MultiStepLR`,
/// `OneCycleLR`, `CyclicLR`) where the two overlap; the fixture checks both.
public struct LearningRateSchedule: Sendable, Equatable {
    /// The shape of the warm-up (torchvision's `--lr-warmup-method`).
    public enum Warmup: String, Sendable, CaseIterable {
        /// MindCV's and torchvision's `LinearLR`: from `lr × warmup_factor` rising to `lr`.
        case linear
        /// torchvision's `ConstantLR`: `lr × warmup_factor` for the whole warm-up, then `lr`.
        case constant
    }

    /// Which main schedule.
    public let kind: ScheduleKind
    /// The peak rate (`lr`).
    public let baseLearningRate: Double
    /// `min_lr`: the end of cosine decay, the bottom of `cyclic` and `one_cycle`.
    public let minimumLearningRate: Double
    /// `warmup_epochs`.
    public let warmupEpochs: Int
    /// `warmup_factor`: the warm-up starts at `lr × warmup_factor`.
    public let warmupFactor: Double
    /// `warmup_method`: how the warm-up gets from `lr × warmup_factor` to `lr`.
    public let warmup: Warmup
    /// `decay_epochs`: cosine cycle length, or `step_decay`'s period.
    public let decayEpochs: Int
    /// `decay_rate`: the factor of the exponential, step and multi-step decays (the power of the
    /// polynomial one).
    public let decayRate: Double
    /// `multi_step_decay_milestones`, in main-phase epochs, sorted.
    public let milestones: [Int]
    /// `epoch_size`: the total number of epochs, warm-up included.
    public let epochs: Int
    /// Optimizer steps per epoch.
    public let stepsPerEpoch: Int
    /// `num_cycles`.
    public let cycles: Int
    /// `cycle_decay`.
    public let cycleDecay: Double
    /// `lr_epoch_stair`: hold the rate for a whole epoch.
    public let epochStair: Bool

    /// A schedule with MindCV's `create_scheduler` arguments (its defaults apart from `epochs`
    /// and `stepsPerEpoch`, which have none).
    ///
    /// - Throws: ``ScheduleError`` for settings MindCV rejects (warm-up or `lr_epoch_stair` with
    ///   `one_cycle`/`cyclic`) or that would divide by zero.
    public init(kind: ScheduleKind, learningRate: Double, minimumLearningRate: Double = 1e-6,
                warmupEpochs: Int = 3, warmupFactor: Double = 0, warmup: Warmup = .linear, decayEpochs: Int = 10, decayRate: Double = 0.9,
                milestones: [Int] = [], epochs: Int, stepsPerEpoch: Int, cycles: Int = 1, cycleDecay: Double = 1,
                epochStair: Bool = false) throws {
        guard stepsPerEpoch > 0 else { throw ScheduleError("steps per epoch must be positive, got \(stepsPerEpoch)") }
        guard warmupEpochs >= 0 else { throw ScheduleError("warmup_epochs must not be negative, got \(warmupEpochs)") }
        guard epochs > 0 else { throw ScheduleError("epoch_size must be positive, got \(epochs)") }
        switch kind {
        case .cosineDecay, .warmupCosineDecay, .stepDecay:
            guard decayEpochs > 0 else { throw ScheduleError("decay_epochs must be positive for \(kind.rawValue), got \(decayEpochs)") }
        case .oneCycle, .cyclic:
            if epochStair || warmupEpochs > 0 {
                throw ScheduleError("\(kind.rawValue) doesn't support learning rate varies with epoch and warmup_epochs > 0")
            }
        default:
            break
        }
        if kind == .cyclic || kind == .cosineDecay || kind == .warmupCosineDecay {
            guard cycles > 0 else { throw ScheduleError("num_cycles must be positive, got \(cycles)") }
        }
        if kind == .cyclic && (epochs * stepsPerEpoch) / cycles / 2 < 1 {
            throw ScheduleError("cyclic needs at least two steps per cycle (\(epochs * stepsPerEpoch) steps, \(cycles) cycles)")
        }
        if kind == .oneCycle && Double(epochs * stepsPerEpoch) * 0.3 <= 1 {
            throw ScheduleError("one_cycle needs more than \(Int(1 / 0.3)) steps in all")
        }
        self.kind = kind
        self.baseLearningRate = learningRate
        self.minimumLearningRate = minimumLearningRate
        self.warmupEpochs = warmupEpochs
        self.warmupFactor = warmupFactor
        self.warmup = warmup
        self.decayEpochs = decayEpochs
        self.decayRate = decayRate
        self.milestones = milestones.sorted()
        self.epochs = epochs
        self.stepsPerEpoch = stepsPerEpoch
        self.cycles = cycles
        self.cycleDecay = cycleDecay
        self.epochStair = epochStair
    }

    /// The number of steps the schedule spans: `epochs × stepsPerEpoch`.
    public var totalSteps: Int { epochs * stepsPerEpoch }

    /// The rate of global step `step` (0-based); steps past ``totalSteps`` keep the last rate.
    public func learningRate(step: Int) -> Double {
        let step = min(max(step, 0), totalSteps - 1)
        let warmupSteps = warmupEpochs * stepsPerEpoch
        if step < warmupSteps {
            let epoch = epochFraction(step)
            let start = baseLearningRate * warmupFactor
            if warmup == .constant { return start }
            return start + min(epoch, Double(warmupEpochs)) / Double(warmupEpochs) * (baseLearningRate - start)
        }
        return mainRate(step - warmupSteps)
    }

    /// The rate at the start of `epoch` (0-based): the rate of its first step.
    public func learningRate(epoch: Int) -> Double {
        learningRate(step: epoch * stepsPerEpoch)
    }

    private func epochFraction(_ step: Int) -> Double {
        epochStair ? Double(step / stepsPerEpoch) : Double(step) / Double(stepsPerEpoch)
    }

    private func mainRate(_ j: Int) -> Double {
        let lr = baseLearningRate, minLR = minimumLearningRate
        let mainEpochs = epochs - warmupEpochs
        let wholeEpoch = j / stepsPerEpoch
        switch kind {
        case .constant:
            return lr
        case .cosineDecay, .warmupCosineDecay:
            let cycleSteps = stepsPerEpoch * decayEpochs
            let cycle = j / cycleSteps
            guard cycle < cycles else { return minLR }
            let t = min(epochFraction(j % cycleSteps), Double(decayEpochs))
            let peak = lr * pow(cycleDecay, Double(cycle))
            return minLR + 0.5 * (peak - minLR) * (1 + cos(Double.pi * t / Double(decayEpochs)))
        case .exponentialDecay:
            return lr * pow(decayRate, epochFraction(j))
        case .polynomialDecay:
            return lr * pow(1 - min(epochFraction(j), Double(mainEpochs)) / Double(mainEpochs), decayRate)
        case .stepDecay:
            return lr * pow(decayRate, Double(wholeEpoch / decayEpochs))
        case .multiStepDecay:
            let passed = milestones.reduce(0) { $0 + ($1 <= wholeEpoch ? 1 : 0) }
            return lr * pow(decayRate, Double(passed))
        case .oneCycle:
            let steps = Double(stepsPerEpoch * mainEpochs)
            let initial = lr / 25
            let up = 0.3 * steps - 1, end = steps - 1
            let i = Double(j)
            func anneal(_ start: Double, _ stop: Double, _ fraction: Double) -> Double {
                stop + (start - stop) / 2 * (cos(Double.pi * fraction) + 1)
            }
            return i <= up ? anneal(initial, lr, i / up) : anneal(lr, minLR, (i - up) / (end - up))
        case .cyclic:
            let steps = stepsPerEpoch * mainEpochs
            let half = Double(Int(Double(steps) / Double(cycles) / 2))
            let total = 2 * half
            let cycle = (1 + Double(j) / total).rounded(.down)
            let x = 1 + Double(j) / total - cycle
            let scale = x <= 0.5 ? x / 0.5 : (x - 1) / (0.5 - 1)
            return minLR + (lr - minLR) * scale
        }
    }
}
