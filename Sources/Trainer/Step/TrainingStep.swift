import TensorEngine
import Datasets
import Layers
import Models
import Training

/// One optimizer step, as a few named calls: forward, objective, backward (per accumulated batch),
/// reduce, clip, update, average. Each is a seam (``TrainingObjective``, ``GradientReducer``, ``WeightAverager``) whose
/// single-process default changes nothing. The trainer and `runner bench` run this same step.
public final class TrainingStep {
    public let model: any ClassificationModel
    public let parameters: [(name: String, tensor: Tensor)]
    public let objective: any TrainingObjective
    public let reducer: any GradientReducer
    public let optimizer: Optimizer
    /// The global-norm bound of `clip_grad` / `clip_value`, or `nil`.
    public let clipNorm: Double?
    public let averagers: [any WeightAverager]

    /// What a step gives back: the loss and the logits (detached) for metrics.
    public struct Outcome {
        public let loss: Double
        public let logits: Tensor
    }

    public init(model: any ClassificationModel, objective: any TrainingObjective, optimizer: Optimizer,
                reducer: any GradientReducer = LocalGradientReducer(), clipNorm: Double? = nil,
                averagers: [any WeightAverager] = []) {
        self.model = model
        self.parameters = model.namedParameters()
        self.objective = objective
        self.reducer = reducer
        self.optimizer = optimizer
        self.clipNorm = clipNorm
        self.averagers = averagers
    }

    /// Trains on `batch` at `learningRate`; `step` is the 1-based number of this update.
    /// - Throws: ``TrainingError/nonFiniteLoss(epoch:batch:value:)`` (with no update made) when the
    ///   loss is not finite.
    public func callAsFunction(_ batch: Batch, learningRate: Double, step: Int, context: ForwardContext) throws -> Outcome {
        try self([batch], learningRate: learningRate, step: step, context: context)[0]
    }

    /// One update from the gradients of several batches (`gradient_accumulation_steps`): each
    /// goes forward, through the objective and backward with its loss weighted by its share of
    /// the samples (1 when the objective sums over samples), so the summed gradient is the one the
    /// concatenated batch would give; then reduce, clip, update and average once.
    ///
    /// - Returns: each batch's own loss and logits, in order.
    /// - Throws: ``TrainingError/nonFiniteLoss(epoch:batch:value:)`` (with no update made and the
    ///   gradients gathered so far dropped) when a loss is not finite.
    public func callAsFunction(_ batches: [Batch], learningRate: Double, step: Int,
                               context: ForwardContext) throws -> [Outcome] {
        let samples = batches.reduce(0) { $0 + $1.count }
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(batches.count)
        for batch in batches {
            let logits = model(batch.images, context)
            let loss = objective.loss(logits: logits, batch: batch)
            let value = Double(loss.item)
            guard value.isFinite else {
                Tape.discard()
                optimizer.zeroGrad()
                throw TrainingError.nonFiniteLoss(epoch: nil, batch: step, value: value)
            }
            let share = objective.averagesOverSamples ? Float(batch.count) / Float(samples) : 1
            (share == 1 ? loss : loss * share).backward()
            outcomes.append(Outcome(loss: value, logits: logits.detached()))
        }
        reducer.reduce(parameters)
        if let clipNorm { _ = GradientClipping.clipByGlobalNorm(parameters, maxNorm: clipNorm) }
        optimizer.learningRate = learningRate
        OpProfiler.measure(.optimizer) { optimizer.step() }
        optimizer.zeroGrad()
        for averager in averagers { averager.update(from: parameters, step: step) }
        return outcomes
    }
}
