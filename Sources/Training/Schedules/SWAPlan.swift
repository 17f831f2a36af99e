/// When stochastic weight averaging snapshots the weights, what rate it trains at, and how batch
/// norm is re-estimated for the averaged weights: keras-swa's ``SWALearningRateSchedule`` or
/// torch's ``SWALRSchedule``. Epochs are 0-based.
public protocol SWAPlan: Sendable {
    /// Whether the weights join the average at the end of `epoch`.
    func averagesAfter(epoch: Int) -> Bool
    /// The rate for update `batch` of `epoch`, or `nil` to keep the run's own schedule.
    func learningRate(epoch: Int, batch: Int) -> Double?
    /// Whether `epoch` is keras-swa's re-estimation epoch: trained with the averaged weights in
    /// place and the batch-norm statistics restarted as cumulative means.
    func isBatchNormEpoch(_ epoch: Int) -> Bool
    /// Whether, after `epoch`, torch's `update_bn` pass re-estimates the averaged model's
    /// batch-norm statistics (one forward pass over the training data, no update).
    func updatesBatchNorm(afterEpoch epoch: Int) -> Bool
}

extension SWALearningRateSchedule: SWAPlan {
    /// keras-swa re-estimates in a training epoch instead.
    public func updatesBatchNorm(afterEpoch epoch: Int) -> Bool { false }
}
