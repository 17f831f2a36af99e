import Foundation
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
    /// Buffers (batch-norm statistics) the averaged model has of its own, by the model's names;
    /// empty when it shares the model's.
    var averagedBuffers: [(name: String, tensor: Tensor)] { get }
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
    public var averagedBuffers: [(name: String, tensor: Tensor)] { [] }
    public var checkpointTensors: [(name: String, tensor: Tensor)] { averagedWeights }
}

/// The recipe's `ema`: an exponential moving average of the weights and the batch-norm
/// statistics, `ema ← d·ema + (1 − d)·w`, started from a copy of them.
///
/// - MindCV (default): updated after every update with `d = ema_decay · (1 − e^(−u/2000))`,
///   `u` the number of averaging updates so far (its `TrainStep.ema_update`), over all of the
///   network's parameters, statistics included.
/// - `ema_steps` k: only after updates 0, k, 2k, … of each epoch (torchvision's
///   `i % model_ema_steps == 0`).
/// - `ema_adjust` (torchvision's model EMA): a fixed `d`, the recipe's decay adjusted by
///   ``ExponentialMovingAverage/torchvisionDecay(decay:batchSize:worldSize:updateEvery:epochs:)``,
///   and during the warm-up epochs every update restarts the average from the weights.
public final class EMAAverager: WeightAverager {
    public let name = "ema"
    /// How the decay of each averaging update is chosen.
    public enum Decay: Sendable, Equatable {
        /// MindCV's ramp `decay · (1 − e^(−u/2000))`.
        case mindCV(Double)
        /// One decay for every update, the first of which copies the weights (torchvision).
        case fixed(Double)
    }

    let average: ExponentialMovingAverage
    let parameterCount: Int
    let decayRule: Decay
    let every: Int
    let updatesPerEpoch: Int
    let restartEpochs: Int
    /// Averaging updates so far (MindCV's `updates`).
    private var updates = 0

    /// - Parameters:
    ///   - parameters: the model's parameters, in the step's order.
    ///   - buffers: the model's batch-norm statistics (live tensors), averaged alongside.
    ///   - every: `ema_steps`; `updatesPerEpoch` locates each update in its epoch.
    ///   - restartEpochs: epochs (from the first) whose updates restart the average (torchvision's warm-up).
    public init(_ parameters: [(name: String, tensor: Tensor)], buffers: [(name: String, tensor: Tensor)] = [],
                decay: Decay, every: Int = 1, updatesPerEpoch: Int = 1, restartEpochs: Int = 0) {
        let decayValue = switch decay { case .mindCV(let d), .fixed(let d): d }
        average = ExponentialMovingAverage(parameters + buffers, decay: decayValue)
        parameterCount = parameters.count
        decayRule = decay
        self.every = max(1, every)
        self.updatesPerEpoch = max(1, updatesPerEpoch)
        self.restartEpochs = restartEpochs
        self.buffers = buffers
        // torchvision's AveragedModel starts empty (`n_averaged` 0): its first update copies.
        if case .fixed = decay { average.restart() }
    }

    /// The live buffers averaged alongside the parameters.
    let buffers: [(name: String, tensor: Tensor)]

    public var averagedWeights: [(name: String, tensor: Tensor)] { Array(average.averaged.prefix(parameterCount)) }
    public var averagedBuffers: [(name: String, tensor: Tensor)] { Array(average.averaged.dropFirst(parameterCount)) }

    /// The decay of averaging update `u` (1-based).
    public func decay(update u: Int) -> Double {
        switch decayRule {
        case .mindCV(let d): d * (1 - exp(-Double(u) / 2000))
        case .fixed(let d): d
        }
    }

    public func update(from parameters: [(name: String, tensor: Tensor)], step: Int) {
        let index = step - 1
        guard (index % updatesPerEpoch) % every == 0 else { return }
        updates += 1
        average.update(from: parameters + buffers, decay: decay(update: updates))
        if index / updatesPerEpoch < restartEpochs { average.restart() }
    }

    public var checkpointTensors: [(name: String, tensor: Tensor)] {
        average.averaged + [("ema.updates", Tensor(scalar: Float(updates)))]
    }

    /// Restores the average; statistics missing from an older checkpoint keep the model's.
    public func load(_ tensors: [(String, Tensor)]) throws {
        let names = Set(tensors.map(\.0))
        let present = tensors.filter { $0.0 != "ema.updates" }
        let missing = average.averaged.dropFirst(parameterCount).filter { !names.contains($0.name) }
        try average.load(present + missing.map { ($0.name, $0.tensor) })
        if let count = tensors.first(where: { $0.0 == "ema.updates" }) { updates = Int(count.1.data[0]) }
    }
}
