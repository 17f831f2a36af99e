import TensorEngine
import Datasets
import Layers
import Models
import Training

/// One optimizer step, as a few named calls: forward, objective, backward, reduce, clip, update,
/// average. Each is a seam (``TrainingObjective``, ``GradientReducer``, ``WeightAverager``) whose
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
        let logits = model(batch.images, context)
        let loss = objective.loss(logits: logits, batch: batch)
        let value = Double(loss.item)
        guard value.isFinite else {
            Tape.discard()
            throw TrainingError.nonFiniteLoss(epoch: nil, batch: step, value: value)
        }
        loss.backward()
        reducer.reduce(parameters)
        if let clipNorm { _ = GradientClipping.clipByGlobalNorm(parameters, maxNorm: clipNorm) }
        optimizer.learningRate = learningRate
        OpProfiler.measure(.optimizer) { optimizer.step() }
        optimizer.zeroGrad()
        for averager in averagers { averager.update(from: parameters, step: step) }
        return Outcome(loss: value, logits: logits.detached())
    }
}
