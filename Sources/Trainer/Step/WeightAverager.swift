import TensorEngine
import Training

/// The weight-averager seam: an average of the weights kept beside them (EMA, SWA), updated
/// after each optimizer step or at the end of an epoch, swapped in for evaluation, saved in
/// checkpoints, its evaluations recorded beside the raw weights' under ``name``.
public protocol WeightAverager: AnyObject {
    /// The name of the average in records and files: `ema`, `swa`.
    var name: String { get }
    /// The averaged tensors, by the parameters' names and in their order.
    var averagedWeights: [(name: String, tensor: Tensor)] { get }
    /// Folds the weights after optimizer step `step` (1-based) into the average.
    func update(from parameters: [(name: String, tensor: Tensor)], step: Int)
    /// Folds the weights at the end of 0-based `epoch` into the average, if it averages then.
    func epochEnded(_ epoch: Int, parameters: [(name: String, tensor: Tensor)])
    /// Whether the average holds any weights yet (an SWA before its first snapshot does not, and
    /// is neither evaluated nor saved as best).
    var holdsWeights: Bool { get }
    /// What a checkpoint keeps of the average: its tensors, and any count it needs to go on.
    var checkpointTensors: [(name: String, tensor: Tensor)] { get }
    /// Restores the average from ``checkpointTensors`` read back from a checkpoint.
    func load(_ tensors: [(String, Tensor)]) throws
}

extension WeightAverager {
    public func epochEnded(_ epoch: Int, parameters: [(name: String, tensor: Tensor)]) {}
    public var holdsWeights: Bool { true }
    public var checkpointTensors: [(name: String, tensor: Tensor)] { averagedWeights }
}

/// MindCV's `ema` with `ema_decay`: an exponential moving average updated every step.
public final class EMAAverager: WeightAverager {
    public let name = "ema"
    let average: ExponentialMovingAverage

    public init(_ parameters: [(name: String, tensor: Tensor)], decay: Double) {
        average = ExponentialMovingAverage(parameters, decay: decay)
    }

    public var averagedWeights: [(name: String, tensor: Tensor)] { average.averaged }

    public func update(from parameters: [(name: String, tensor: Tensor)], step: Int) {
        average.update(from: parameters, step: step)
    }

    public func load(_ tensors: [(String, Tensor)]) throws { try average.load(tensors) }
}
