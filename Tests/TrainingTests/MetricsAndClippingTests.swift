import Testing
import TensorEngine
@testable import Training

@Suite struct MetricsAndClippingTests {
    @Test func topKCountsMatchTorchTopk() {
        let section = Fixture.section("metrics")
        let labels = (section["labels"] as! [NSNumberLike]).map(\.intValue)
        let logits = Tensor(shape: [labels.count, 7], values: floats(section["logits"]))
        var accuracy = TopKAccuracy()
        accuracy.add(logits: logits, labels: labels)
        #expect(accuracy.top1Correct == (section["top1"] as! NSNumberLike).intValue)
        #expect(accuracy.top5Correct == (section["top5"] as! NSNumberLike).intValue)
        var other = TopKAccuracy()
        other.add(logits: Tensor(shape: [1, 3], values: [0, 2, 1]), labels: [1])
        accuracy.merge(other)
        #expect(accuracy.sampleCount == labels.count + 1)
        #expect(accuracy.top1 == 100 * Double(accuracy.top1Correct) / Double(labels.count + 1))
    }

    @Test func runningLossWeightsBySamples() {
        var loss = RunningLoss()
        loss.add(2.0, samples: 128)
        loss.add(1.0, samples: 32)
        #expect(abs(loss.mean - (2.0 * 128 + 32) / 160) < 1e-15)
        #expect(RunningLoss().mean == 0)
    }

    static func parameters(_ grads: [[Float]]) -> [(name: String, tensor: Tensor)] {
        [("w", Tensor.zeros([4, 9]).requiringGrad()), ("b", Tensor.zeros([5]).requiringGrad())].enumerated().map { index, entry in
            entry.1.grad = Tensor(shape: entry.1.shape, values: grads[index])
            return entry
        }
    }

    @Test func clippingMatchesTorch() {
        let section = Fixture.section("clipping")
        let grads = (section["grads"] as! [Any]).map { floats($0) }
        var parameters = Self.parameters(grads)
        let norm = GradientClipping.clipByGlobalNorm(parameters, maxNorm: 5)
        #expect(abs(norm - (section["norm"] as! NSNumberLike).doubleValue) < 1e-5 * norm)
        for (index, expected) in (section["clipped_norm"] as! [Any]).enumerated() {
            expectClose(parameters[index].tensor.grad!.scalars, floats(expected), "clip norm \(index)")
        }
        parameters = Self.parameters(grads)
        let infNorm = GradientClipping.clipByGlobalNorm(parameters, maxNorm: 1, normType: .infinity)
        #expect(abs(infNorm - (section["inf_norm"] as! NSNumberLike).doubleValue) < 1e-6)
        for (index, expected) in (section["clipped_inf"] as! [Any]).enumerated() {
            expectClose(parameters[index].tensor.grad!.scalars, floats(expected), "clip ∞-norm \(index)")
        }
        parameters = Self.parameters(grads)
        GradientClipping.clipByValue(parameters, clipValue: 1.5)
        for (index, expected) in (section["clipped_value"] as! [Any]).enumerated() {
            expectClose(parameters[index].tensor.grad!.scalars, floats(expected), "clip value \(index)")
        }
    }

    @Test func globalNormOfALargeTensor() {
        let count = 1_000_001
        let tensor = Tensor.full([count], 0.5)
        #expect(abs(GradientClipping.globalNorm([tensor]) - 0.5 * Double(count).squareRoot()) < 1e-3)
    }
}
