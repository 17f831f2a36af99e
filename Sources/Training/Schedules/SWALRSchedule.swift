import Foundation

/// torch's stochastic weight averaging recipe (`torch.optim.swa_utils`): the run's schedule until
/// `startEpoch`, then `SWALR` — stepped once per epoch — annealing from the rate the run had
/// reached to `swa_lr` over `annealEpochs` epochs; an `AveragedModel` running mean of the weights
/// at the end of every `frequency`-th epoch from `startEpoch`; and, for a network with batch norm,
/// `update_bn` after the last epoch.
///
/// With `s = startEpoch − 1` (0-based, as ``SWALearningRateSchedule``), epoch `s + n` trains at
/// `SWALR`'s rate after `n` steps: `swa_lr·α + r₀·(1 − α)` with `α = f(min(1, n / annealEpochs))`,
/// `f(t) = (1 − cos πt) / 2` (`cos`) or `t` (`linear`), and `r₀` the rate when `SWALR` was made;
/// `annealEpochs = 0` is `swa_lr` from the start (torch steps once on creation).
public struct SWALRSchedule: SWAPlan, Equatable {
    /// `SWALR`'s `anneal_strategy`.
    public enum Strategy: String, Sendable, CaseIterable {
        case cos, linear
    }

    /// The 1-based epoch of the first snapshot; `SWALR` takes over the rate from its start.
    public let startEpoch: Int
    /// Epochs between snapshots.
    public let frequency: Int
    public let strategy: Strategy
    /// `swa_lr`: where the annealing ends.
    public let swaLearningRate: Double
    /// `anneal_epochs`.
    public let annealEpochs: Int
    /// r₀: the run's rate at the start of epoch `startEpoch − 1` (0-based), where annealing starts.
    public let initialLearningRate: Double
    /// All epochs of the run.
    public let epochs: Int
    /// Whether the model has batch norm (then ``updatesBatchNorm(afterEpoch:)`` holds after the last epoch).
    public let hasBatchNorm: Bool

    public init(startEpoch: Int, frequency: Int = 1, strategy: Strategy, swaLearningRate: Double, annealEpochs: Int,
                initialLearningRate: Double, epochs: Int, hasBatchNorm: Bool = false) {
        precondition(startEpoch >= 1 && frequency >= 1 && annealEpochs >= 0, "SWALRSchedule: start \(startEpoch), frequency \(frequency), anneal \(annealEpochs)")
        self.startEpoch = startEpoch
        self.frequency = frequency
        self.strategy = strategy
        self.swaLearningRate = swaLearningRate
        self.annealEpochs = annealEpochs
        self.initialLearningRate = initialLearningRate
        self.epochs = epochs
        self.hasBatchNorm = hasBatchNorm
    }

    /// The 0-based epoch of the first snapshot.
    public var firstAveragedEpoch: Int { startEpoch - 1 }

    public func averagesAfter(epoch: Int) -> Bool {
        epoch >= firstAveragedEpoch && (epoch - firstAveragedEpoch) % frequency == 0
    }

    /// `SWALR`'s rate for the epoch, the same for all its updates; `nil` before the start.
    public func learningRate(epoch: Int, batch: Int) -> Double? {
        guard epoch >= firstAveragedEpoch else { return nil }
        return Self.annealedRate(from: initialLearningRate, to: swaLearningRate, steps: epoch - firstAveragedEpoch,
                                 annealEpochs: annealEpochs, strategy: strategy)
    }

    public func isBatchNormEpoch(_ epoch: Int) -> Bool { false }

    public func updatesBatchNorm(afterEpoch epoch: Int) -> Bool { hasBatchNorm && epoch == epochs - 1 }

    /// The optimizer's rate after `steps` calls of `SWALR.step()` on a rate of `initial` when it
    /// was created (the closed form of torch's recurrence).
    public static func annealedRate(from initial: Double, to swaRate: Double, steps: Int, annealEpochs: Int,
                                    strategy: Strategy) -> Double {
        let t = annealEpochs == 0 ? 1 : min(1, Double(steps) / Double(annealEpochs))
        let alpha = switch strategy {
        case .cos: (1 - cos(Double.pi * t)) / 2
        case .linear: t
        }
        return alpha == 1 ? swaRate : swaRate * alpha + initial * (1 - alpha)
    }
}
