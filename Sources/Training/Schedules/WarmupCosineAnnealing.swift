import Foundation

/// torchvision's classification schedule (references/classification/train.py): a warm-up of
/// `lr_warmup_epochs` (`LinearLR` from `lr_warmup_decay × lr` to `lr`, or `ConstantLR` holding
/// `lr_warmup_decay × lr`), then `CosineAnnealingLR` with `T_max = epochs − lr_warmup_epochs`
/// down to `lr_min`, joined by `SequentialLR` and stepped once per epoch.
///
/// The Swin V2 recipe: `lr 1e-3`, 20 linear warm-up epochs from `0.01 × lr`, `lr_min 1e-5`.
public struct WarmupCosineAnnealing: Sendable, Equatable {
    /// How the warm-up rises.
    public enum Warmup: String, Sendable {
        /// `LinearLR`: from `decay × lr` up to `lr` over the warm-up epochs.
        case linear
        /// `ConstantLR`: `decay × lr` during the warm-up, then `lr`.
        case constant
    }

    /// The peak rate (`--lr`).
    public let baseLearningRate: Double
    /// `--lr-min`, the end of the cosine.
    public let minimumLearningRate: Double
    /// `--lr-warmup-epochs`.
    public let warmupEpochs: Int
    /// `--lr-warmup-decay`: the warm-up's starting factor.
    public let warmupDecay: Double
    /// `--lr-warmup-method`.
    public let warmup: Warmup
    /// `--epochs`.
    public let epochs: Int

    /// A schedule with torchvision's arguments.
    /// - Throws: ``ScheduleError`` when no epoch is left for the cosine.
    public init(learningRate: Double, minimumLearningRate: Double = 0, warmupEpochs: Int = 0,
                warmupDecay: Double = 0.01, warmup: Warmup = .linear, epochs: Int) throws {
        guard warmupEpochs >= 0, epochs > warmupEpochs else {
            throw ScheduleError("epochs (\(epochs)) must be larger than lr_warmup_epochs (\(warmupEpochs))")
        }
        self.baseLearningRate = learningRate
        self.minimumLearningRate = minimumLearningRate
        self.warmupEpochs = warmupEpochs
        self.warmupDecay = warmupDecay
        self.warmup = warmup
        self.epochs = epochs
    }

    /// The rate used throughout epoch `epoch` (0-based).
    public func learningRate(epoch: Int) -> Double {
        if epoch < warmupEpochs {
            switch warmup {
            case .linear:
                return baseLearningRate * (warmupDecay + (1 - warmupDecay) * Double(epoch) / Double(warmupEpochs))
            case .constant:
                return baseLearningRate * warmupDecay
            }
        }
        let t = Double(epoch - warmupEpochs), period = Double(epochs - warmupEpochs)
        return minimumLearningRate + (baseLearningRate - minimumLearningRate) * (1 + cos(Double.pi * t / period)) / 2
    }
}
