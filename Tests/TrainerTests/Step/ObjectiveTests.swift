import Foundation
import Testing
import TensorEngine
import Datasets
import Trainer

@Suite struct ObjectiveTests {
    /// An unmixed batch's soft targets are the smoothed one-hot labels, so the soft-target losses
    /// (the objective with ``MixupCutmix``) equal the hard-label losses with the same smoothing, in
    /// value and gradient, for CE and BCE, mean and sum: the smoothing is applied once.
    @Test func softTargetsOfAnUnmixedBatchGiveTheHardLabelLoss() {
        var random = RandomGenerator(seed: 21)
        let logits = Tensor.normal([6, 7], std: 2, using: &random)
        let labels: [Int32] = [0, 6, 3, 3, 1, 5]
        let images = Tensor.zeros([6, 1, 2, 2])
        for kind in [ClassificationObjective.Kind.crossEntropy, .binaryCrossEntropy] {
            for sums in [false, true] {
                let objective = ClassificationObjective(kind: kind, labelSmoothing: 0.1, sumsOverSamples: sums)
                let hard = Batch(images: images, labels: labels)
                let soft = MixupCutmix(mixupAlpha: 1, cutmixAlpha: 0, labelSmoothing: 0.1, classes: 7).apply(.unmixed, to: hard)
                #expect(soft.softTargets != nil)
                let (hardLoss, hardGradient) = lossAndGradient(objective, logits, hard)
                let (softLoss, softGradient) = lossAndGradient(objective, logits, soft)
                #expect(abs(hardLoss - softLoss) <= 1e-6 * max(1, abs(hardLoss)), "\(kind) sum \(sums): \(hardLoss) vs \(softLoss)")
                #expect(zip(hardGradient, softGradient).allSatisfy { abs($0 - $1) < 1e-6 }, "\(kind) sum \(sums)")
            }
        }
    }

    /// With mixed targets the cross-entropy is the mean over samples of −Σ q log softmax(x), and
    /// BCE the mean over all elements of BCE-with-logits against q.
    @Test func mixedTargetsAreTheLossTargets() {
        var random = RandomGenerator(seed: 22)
        let logits = Tensor.normal([4, 3], using: &random)
        let batch = MixupCutmix(mixupAlpha: 1, cutmixAlpha: 0, labelSmoothing: 0.2, classes: 3)
            .apply(.mixup(lambda: 0.3), to: Batch(images: Tensor.zeros([4, 1, 2, 2]), labels: [0, 1, 2, 2]))
        let q = batch.softTargets!.scalars, x = logits.scalars
        var crossEntropy = 0.0, binary = 0.0
        for row in 0..<4 {
            let logits = x[row * 3..<(row + 1) * 3].map(Double.init)
            let logSum = Foundation.log(logits.map { Foundation.exp($0) }.reduce(0, +))
            for column in 0..<3 {
                let target = Double(q[row * 3 + column]), value = logits[column]
                crossEntropy -= target * (value - logSum)
                binary += max(value, 0) - value * target + Foundation.log(1 + Foundation.exp(-abs(value)))
            }
        }
        let ce = ClassificationObjective(kind: .crossEntropy, labelSmoothing: 0.2).loss(logits: logits, batch: batch).item
        let bce = ClassificationObjective(kind: .binaryCrossEntropy, labelSmoothing: 0.2).loss(logits: logits, batch: batch).item
        #expect(abs(Double(ce) - crossEntropy / 4) < 1e-6)
        #expect(abs(Double(bce) - binary / 12) < 1e-6)
    }

    private func lossAndGradient(_ objective: ClassificationObjective, _ logits: Tensor, _ batch: Batch) -> (Float, [Float]) {
        let input = logits.copy().requiringGrad()
        let loss = objective.loss(logits: input, batch: batch)
        loss.backward()
        return (loss.item, input.grad?.scalars ?? [])
    }
}
