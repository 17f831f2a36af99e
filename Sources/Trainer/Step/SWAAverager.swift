import TensorEngine
import Layers
import Training

/// Stochastic weight averaging (`swa: True`): at the end of every epoch its plan names (from
/// `swa_start_epoch`, every `swa_freq` epochs) the weights join a running mean,
/// `swa ← (swa·k + w)/(k + 1)`. The plan — keras-swa's ``SWALearningRateSchedule`` or torch's
/// ``SWALRSchedule`` — also sets the learning rate (``learningRate(epoch:batch:)``). Evaluated beside the raw weights once it holds a
/// snapshot, recorded and checkpointed as `swa` (with its snapshot count, so a resumed run
/// averages on with the same weights).
///
/// With batch norm the run's last epoch is keras-swa's re-estimation epoch
/// (``beginBatchNormEpoch(parameters:normalizations:)``): the averaged weights replace the model's,
/// the running statistics restart and become the plain mean over the epoch's batches (Keras'
/// per-batch momentum 1 − 1/(b + 1), PyTorch's `momentum=None`), and the rate is 0 under the
/// constant and cyclic schedules — under `manual` keras-swa leaves the optimizer's rate in that
/// epoch, and so does this. The statistics are PyTorch's (unbiased running variance).
///
/// Under torch's plan the raw model keeps its own statistics; after the last epoch `update_bn`
/// estimates the averaged model's (``keepBatchNormStatistics(_:)``), which then go with the
/// averaged weights into evaluation and files.
public final class SWAAverager: WeightAverager {
    public let name = "swa"
    public let plan: any SWAPlan
    let average: StochasticWeightAverage
    /// The averaged model's batch-norm buffers from `update_bn`, by name; empty before.
    public private(set) var averagedBuffers: [(name: String, tensor: Tensor)] = []

    public init(_ parameters: [(name: String, tensor: Tensor)], plan: any SWAPlan) {
        self.plan = plan
        average = StochasticWeightAverage(shapedLike: parameters)
    }

    /// Keeps copies of `buffers` as the averaged model's batch-norm statistics.
    public func keepBatchNormStatistics(_ buffers: [(name: String, tensor: Tensor)]) {
        averagedBuffers = buffers.map { ($0.name, $0.tensor.copy()) }
    }

    public var averagedWeights: [(name: String, tensor: Tensor)] { average.averaged }
    public var holdsWeights: Bool { average.count > 0 }
    /// How many snapshots the average holds.
    public var snapshots: Int { average.count }

    /// SWA averages at epoch ends only.
    public func update(from parameters: [(name: String, tensor: Tensor)], step: Int) {}

    public func epochEnded(_ epoch: Int, parameters: [(name: String, tensor: Tensor)]) {
        if plan.averagesAfter(epoch: epoch) { average.add(parameters) }
    }

    /// The rate the plan sets for update `batch` of 0-based `epoch` (`nil` where the run's own
    /// schedule stays: keras-swa's `manual`, torch's plan before the start).
    public func learningRate(epoch: Int, batch: Int) -> Double? { plan.learningRate(epoch: epoch, batch: batch) }

    /// Starts the re-estimation epoch: copies the average into `parameters`, restarts the running
    /// statistics of `normalizations` as cumulative means; returns their momenta to restore after.
    public func beginBatchNormEpoch(parameters: [(name: String, tensor: Tensor)],
                                    normalizations: [BatchNorm2d]) -> [(BatchNorm2d, Float?)] {
        average.copy(into: parameters)
        let momenta = normalizations.map { ($0, $0.momentum) }
        for normalization in normalizations {
            normalization.resetRunningStatistics()
            normalization.momentum = nil
        }
        return momenta
    }

    public var checkpointTensors: [(name: String, tensor: Tensor)] {
        average.stateTensors().map { (name: $0.0, tensor: $0.1) }
    }

    public func load(_ tensors: [(String, Tensor)]) throws { try average.load(stateTensors: tensors) }
}
