/// keras-swa's learning-rate schedules and averaging calendar (`swa/callback.py` of
/// simon-larsson/keras-swa, read for this port).
///
/// `startEpoch` is 1-based as in keras-swa; `s = startEpoch − 1` is the 0-based epoch where the
/// weights are first snapshotted. Averaging happens at the end of every epoch `e ≥ s` with
/// `(e − s) mod swaFrequency = 0`, with weight `k = (e − s) / swaFrequency`:
/// `swa ← (swa·k + w)/(k + 1)`.
///
/// - `manual`: the run's own schedule is left alone (``learningRate(epoch:batch:)`` is `nil`).
/// - `constant` (per epoch): with `t = epoch / s` and `r = swa_lr / lr`, factor 1 while t ≤ 0.5,
///   then linear down to `r` at t = 0.9, then `r`.
/// - `cyclic` (per batch): before `s` the constant schedule; from `s`, within each cycle of
///   `swaFrequency` epochs, the rate falls linearly from `swa_lr2` to `swa_lr`, reaching `swa_lr`
///   on the cycle's last batch.
/// - With batch norm the last epoch runs at rate 0 re-estimating the statistics with the
///   averaged weights (keras-swa sets that rate only for the `constant` and `cyclic` schedules).
public struct SWALearningRateSchedule: Sendable, Equatable {
    /// keras-swa's `lr_schedule`.
    public enum Mode: String, Sendable, CaseIterable {
        /// Leave the learning rate to the run's schedule.
        case manual
        /// Anneal to `swa_lr` and hold it.
        case constant
        /// Cycle from `swa_lr2` down to `swa_lr` every `swa_freq` epochs.
        case cyclic
    }

    /// The 1-based epoch where averaging starts (keras-swa's `start_epoch`).
    public let startEpoch: Int
    /// The schedule.
    public let mode: Mode
    /// The SWA rate (resolved from `auto`: 0.1 × the initial rate).
    public let swaLearningRate: Double
    /// The cyclic upper rate (resolved from `auto`: `swa_lr + 0.25 (lr − swa_lr)`); equals
    /// ``swaLearningRate`` for the other modes.
    public let swaLearningRate2: Double
    /// `swa_freq`: epochs between snapshots, the cycle length of `cyclic`.
    public let swaFrequency: Int
    /// The optimizer's initial rate.
    public let initialLearningRate: Double
    /// All epochs of the run.
    public let epochs: Int
    /// Batches per epoch.
    public let stepsPerEpoch: Int
    /// Whether the model has batch norm (then the last epoch re-estimates its statistics).
    public let hasBatchNorm: Bool

    /// A schedule with keras-swa's arguments; `nil` rates mean `'auto'`.
    ///
    /// - Throws: ``ScheduleError`` with keras-swa's messages for `start_epoch < 2`, a start too
    ///   late for `epochs`, `cyclic` with `swa_freq < 2`, a manual `swa_lr2` with an automatic
    ///   `swa_lr`, `swa_lr > swa_lr2` for `cyclic`, and an initial rate below `swa_lr`.
    public init(startEpoch: Int, mode: Mode, swaLearningRate: Double? = nil, swaLearningRate2: Double? = nil,
                swaFrequency: Int = 1, initialLearningRate: Double, epochs: Int, stepsPerEpoch: Int,
                hasBatchNorm: Bool = false) throws {
        guard startEpoch >= 2 else { throw ScheduleError("\"swa_start\" attribute cannot be lower than 2.") }
        guard swaFrequency >= 1 else { throw ScheduleError("\"swa_freq\" must be positive.") }
        if mode == .cyclic && swaFrequency < 2 {
            throw ScheduleError("\"swa_freq\" must be higher than 1 for cyclic schedule.")
        }
        if swaLearningRate == nil && swaLearningRate2 != nil {
            throw ScheduleError("\"swa_lr2\" cannot be manually set if \"swa_lr\" is automatic.")
        }
        if mode == .cyclic, let low = swaLearningRate, let high = swaLearningRate2, low > high {
            throw ScheduleError("\"swa_lr\" must be lower than \"swa_lr2\".")
        }
        guard startEpoch - 1 < epochs - 1 else {
            throw ScheduleError("\"swa_start\" attribute must be lower than \"epochs\".")
        }
        guard stepsPerEpoch > 0 else { throw ScheduleError("steps per epoch must be positive") }
        let low = swaLearningRate ?? 0.1 * initialLearningRate
        guard initialLearningRate >= low else {
            throw ScheduleError("\"swa_lr\" must be lower than rate set in optimizer.")
        }
        let high = mode == .cyclic ? (swaLearningRate2 ?? low + (initialLearningRate - low) * 0.25) : low
        self.startEpoch = startEpoch
        self.mode = mode
        self.swaLearningRate = low
        self.swaLearningRate2 = high
        self.swaFrequency = swaFrequency
        self.initialLearningRate = initialLearningRate
        self.epochs = epochs
        self.stepsPerEpoch = stepsPerEpoch
        self.hasBatchNorm = hasBatchNorm
    }

    /// keras-swa's `s`: the 0-based epoch of the first snapshot.
    public var firstAveragedEpoch: Int { startEpoch - 1 }

    /// Whether the weights are averaged at the end of 0-based `epoch`.
    public func averagesAfter(epoch: Int) -> Bool {
        epoch >= firstAveragedEpoch && (epoch - firstAveragedEpoch) % swaFrequency == 0 && !isBatchNormEpoch(epoch)
    }

    /// The averaging weight `k` of the snapshot taken after `epoch`: the number already averaged.
    public func averagedCount(before epoch: Int) -> Int { (epoch - firstAveragedEpoch) / swaFrequency }

    /// Whether 0-based `epoch` is the batch-norm re-estimation epoch (the last, with batch norm).
    public func isBatchNormEpoch(_ epoch: Int) -> Bool { hasBatchNorm && epoch == epochs - 1 }

    /// The rate for batch `batch` (0-based) of 0-based `epoch`, or `nil` under `manual`.
    public func learningRate(epoch: Int, batch: Int) -> Double? {
        switch mode {
        case .manual:
            return nil
        case .constant:
            return isBatchNormEpoch(epoch) ? 0 : constantRate(epoch)
        case .cyclic:
            if isBatchNormEpoch(epoch) { return 0 }
            let s = firstAveragedEpoch
            guard epoch >= s else { return constantRate(epoch) }
            let cycleLength = swaFrequency * stepsPerEpoch
            let i = ((epoch - s) % swaFrequency) * stepsPerEpoch + batch + 1
            let t = Double((i - 1) % cycleLength + 1) / Double(cycleLength)
            return (1 - t) * swaLearningRate2 + t * swaLearningRate
        }
    }

    private func constantRate(_ epoch: Int) -> Double {
        let t = Double(epoch) / Double(firstAveragedEpoch)
        let ratio = swaLearningRate / initialLearningRate
        let factor: Double
        if t <= 0.5 {
            factor = 1
        } else if t <= 0.9 {
            factor = 1 - (1 - ratio) * (t - 0.5) / 0.4
        } else {
            factor = ratio
        }
        return initialLearningRate * factor
    }
}
