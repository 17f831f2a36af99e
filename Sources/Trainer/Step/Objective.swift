import TensorEngine
import Datasets
import Recipes

/// The objective seam: the loss to differentiate, from the model's output and the batch's targets.
///
/// Classification with hard labels or soft targets (mixup, cutmix) is the one objective today;
/// masked reconstruction plugs in here without touching the step.
public protocol TrainingObjective {
    /// The scalar loss for logits `[B, classes]` and the batch they came from.
    func loss(logits: Tensor, batch: Batch) -> Tensor
    /// Whether ``loss(logits:batch:)`` is a mean over the batch's samples (so accumulated batches
    /// weigh their losses by their share of the samples) rather than a sum.
    var averagesOverSamples: Bool { get }
}

extension TrainingObjective {
    public var averagesOverSamples: Bool { true }
}

/// MindCV's classification losses (`loss: CE` or `BCE`), with label smoothing and the `mean` or
/// `sum` reduction over samples.
public struct ClassificationObjective: TrainingObjective {
    public enum Kind: Sendable { case crossEntropy, binaryCrossEntropy }

    public var kind: Kind
    /// ε: targets become `(1 − ε)·onehot + ε/C`.
    public var labelSmoothing: Float
    /// Whether per-sample losses are summed rather than averaged.
    public var sumsOverSamples: Bool

    public init(kind: Kind = .crossEntropy, labelSmoothing: Float = 0, sumsOverSamples: Bool = false) {
        self.kind = kind
        self.labelSmoothing = labelSmoothing
        self.sumsOverSamples = sumsOverSamples
    }

    public var averagesOverSamples: Bool { !sumsOverSamples }

    /// The recipe's `loss`, `label_smoothing` and `reduction`.
    public init(_ loss: Experiment.Loss) {
        self.init(kind: loss.name == .binaryCrossEntropy ? .binaryCrossEntropy : .crossEntropy,
                  labelSmoothing: Float(loss.labelSmoothing), sumsOverSamples: loss.reduction == .sum)
    }

    /// Cross-entropy: mean over samples of −Σ_c q_c log softmax(x)_c. Binary cross-entropy, as
    /// MindCV's `BinaryCrossEntropySmooth`: the mean over samples and classes of
    /// BCE-with-logits against the targets. `sum` multiplies the mean by the
    /// sample count (for BCE, MindCV's `sum` also sums over classes: by samples × classes).
    ///
    /// The targets q are the batch's ``Batch/softTargets`` when it has them (mixup, cutmix: timm's
    /// `SoftTargetCrossEntropy` and `BinaryCrossEntropy` with mixed targets), taken as they are
    /// because ``MixupCutmix`` has already folded the label smoothing into them; otherwise the
    /// labels' one-hot rows smoothed by ``labelSmoothing``.
    public func loss(logits: Tensor, batch: Batch) -> Tensor {
        let mean: Tensor
        var perMean = Float(batch.count)
        switch kind {
        case .crossEntropy:
            if let softTargets = batch.softTargets {
                mean = Tensor.crossEntropy(logits: logits, softTargets: softTargets)
            } else {
                mean = Tensor.crossEntropy(logits: logits, labels: batch.labels, labelSmoothing: labelSmoothing)
            }
        case .binaryCrossEntropy:
            let classes = logits.shape[1]
            mean = Tensor.binaryCrossEntropyWithLogits(logits, targets: batch.softTargets ?? smoothedOneHot(batch.labels, classes: classes))
            perMean *= Float(classes)
        }
        return sumsOverSamples ? mean * perMean : mean
    }

    /// The labels' one-hot rows `[B, classes]` with off = ε/C and on = 1 − ε + ε/C.
    private func smoothedOneHot(_ labels: [Int32], classes: Int) -> Tensor {
        let off = labelSmoothing / Float(classes), on = 1 - labelSmoothing + off
        var targets = [Float](repeating: off, count: labels.count * classes)
        for (row, label) in labels.enumerated() { targets[row * classes + Int(label)] = on }
        return Tensor(shape: [labels.count, classes], values: targets)
    }
}
