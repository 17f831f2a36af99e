import Foundation
import Testing
import TensorEngine

@Suite struct BinaryCrossEntropyTests {
    /// torch.nn.functional.binary_cross_entropy_with_logits, written out in double precision:
    /// mean of −[t·log σ(x) + (1 − t)·log(1 − σ(x))].
    @Test func matchesTheDefinition() {
        let logits = Tensor(shape: [2, 3], values: [-30, -1.5, 0, 0.25, 2, 40])
        let targets = Tensor(shape: [2, 3], values: [0, 0.9, 0.5, 0.05, 1, 0.2])
        var total = 0.0
        for i in 0..<6 {
            let x = Double(logits.data[i]), t = Double(targets.data[i])
            // log σ(x) = −log(1 + e^(−x)), log(1 − σ(x)) = −x − log(1 + e^(−x)), stable for large |x|.
            let logSigmoid = -(max(-x, 0) + Foundation.log1p(Foundation.exp(-abs(x))))
            total -= t * logSigmoid + (1 - t) * (logSigmoid - x)
        }
        let loss = Tensor.binaryCrossEntropyWithLogits(logits, targets: targets)
        #expect(abs(Double(loss.item) - total / 6) < 1e-6 * max(1, total / 6))
    }

    @Test func gradientMatchesFiniteDifferences() {
        var generator = RandomGenerator(seed: 11)
        let logits = Tensor.normal([4, 5], using: &generator)
        let targets = Tensor(shape: [4, 5], values: (0..<20).map { Float($0 % 7) / 6 })
        let report = gradientCheck([logits]) { Tensor.binaryCrossEntropyWithLogits($0[0], targets: targets) }
        #expect(report.passed, "\(report)")
    }
}
