import Foundation
import TensorEngine

/// An exponential moving average of model weights: `ema ← decay·ema + (1 − decay)·w`, as timm's
/// `ModelEmaV2` (no warm-up) and `ModelEmaV3` (optional warm-up, `update_after_step`), and
/// torchvision's `ExponentialMovingAverage` (see ``torchvisionDecay(decay:batchSize:worldSize:updateEvery:epochs:)``
/// and ``restart()``).
///
/// torchvision's average copies the weights on its first update (`n_averaged == 0`); call
/// ``restart()`` right after creating this one to get that behaviour.
///
/// It keeps its own copy of every tensor given (parameters and, as timm does, float buffers such
/// as batch-norm statistics) and updates it in one fused pass per tensor.
public final class ExponentialMovingAverage: @unchecked Sendable {
    /// The decay once warmed up.
    public let decay: Double
    /// The ramp of timm's `use_warmup`, or `nil` for a fixed decay.
    public let warmup: EMAWarmup?
    /// timm's `update_after_step`: updates with a step at or below it copy the weights.
    public let updateAfterStep: Int
    /// The averaged tensors by name, in the order given.
    public let averaged: [(name: String, tensor: Tensor)]
    private var needsCopy = false

    /// An average starting from a copy of `tensors`.
    public init(_ tensors: [(name: String, tensor: Tensor)], decay: Double = 0.9999, warmup: EMAWarmup? = nil,
                updateAfterStep: Int = 0) {
        self.decay = decay
        self.warmup = warmup
        self.updateAfterStep = updateAfterStep
        self.averaged = tensors.map { ($0.name, $0.tensor.copy()) }
    }

    /// The decay used by an update at `step` (timm: `max(0, step − update_after_step − 1)` counts
    /// the updates so far; 0 means copy), or ``decay`` when `step` is `nil`.
    public func decay(atStep step: Int?) -> Double {
        guard let step else { return decay }
        let t = max(0, step - updateAfterStep - 1)
        if t <= 0 { return 0 }
        guard let warmup else { return decay }
        let ramp = 1 - pow(1 + Double(t) / warmup.gamma, -warmup.power)
        return max(min(ramp, decay), warmup.minimumDecay)
    }

    /// Folds `tensors` (same names and shapes as at creation, same order) into the average;
    /// `step` as in ``decay(atStep:)``.
    public func update(from tensors: [(name: String, tensor: Tensor)], step: Int? = nil) {
        update(from: tensors, decay: decay(atStep: step))
    }

    /// Folds `tensors` into the average with decay `d` (a copy right after ``restart()``).
    public func update(from tensors: [(name: String, tensor: Tensor)], decay d: Double) {
        precondition(tensors.count == averaged.count, "ExponentialMovingAverage: \(tensors.count) tensors for an average of \(averaged.count)")
        let d = needsCopy ? 0 : d
        needsCopy = false
        let weight = Float(1 - d)
        for (source, target) in zip(tensors, averaged) {
            guard source.tensor.shape == target.tensor.shape else {
                EngineError.shapeMismatch("ExponentialMovingAverage.update", target.tensor.shape, source.tensor.shape,
                                          "'\(source.name)' changed shape")
            }
            let w = source.tensor.data, e = target.tensor.data
            if weight == 1 {
                e.update(from: w, count: target.tensor.count)
            } else {
                fusedPass(target.tensor.count) { i, n in
                    let average = lanesLoad(e, i, n)
                    lanesStore(average.addingProduct(weight, lanesLoad(w, i, n) - average), e, i, n)
                }
            }
        }
    }

    /// Makes the next update copy the weights (torchvision resets `n_averaged` to 0 during the
    /// learning-rate warm-up).
    public func restart() {
        needsCopy = true
    }

    /// Overwrites the average with saved tensors (a checkpoint's EMA weights).
    /// - Throws: ``OptimizerStateError`` when a name is missing or a shape differs.
    public func load(_ tensors: [(String, Tensor)]) throws {
        let saved = [String: Tensor](tensors.map { ($0.0, $0.1) }, uniquingKeysWith: { _, last in last })
        for (name, tensor) in averaged {
            guard let source = saved[name] else { throw OptimizerStateError.missing(name: name) }
            guard source.shape == tensor.shape else {
                throw OptimizerStateError.shapeMismatch(name: name, expected: tensor.shape, found: source.shape)
            }
        }
        for (name, tensor) in averaged { tensor.data.update(from: saved[name]!.data, count: tensor.count) }
    }

    /// torchvision's adjusted decay: with `alpha = 1 − decay`,
    /// `alpha ← min(1, alpha · worldSize · batchSize · updateEvery / epochs)`; returns `1 − alpha`.
    /// The Swin V2 recipe passes `decay 0.99998`, `updateEvery 32`.
    public static func torchvisionDecay(decay: Double, batchSize: Int, worldSize: Int = 1, updateEvery: Int,
                                        epochs: Int) -> Double {
        let adjust = Double(worldSize * batchSize * updateEvery) / Double(epochs)
        return 1 - min(1, (1 - decay) * adjust)
    }
}
