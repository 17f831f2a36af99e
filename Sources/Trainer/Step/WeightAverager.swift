import TensorEngine
import Training

/// The weight-averager seam: an average of the weights kept beside them (EMA now, SWA next),
/// updated after each optimizer step, swapped in for evaluation, saved in checkpoints, its
/// evaluations recorded beside the raw weights' under ``name``.
public protocol WeightAverager: AnyObject {
    /// The name of the average in records and files: `ema`, `swa`.
    var name: String { get }
    /// The averaged tensors, by the parameters' names and in their order.
    var averagedWeights: [(name: String, tensor: Tensor)] { get }
    /// Folds the weights after optimizer step `step` (1-based) into the average.
    func update(from parameters: [(name: String, tensor: Tensor)], step: Int)
    /// Restores the average from a checkpoint's tensors.
    func load(_ tensors: [(String, Tensor)]) throws
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
