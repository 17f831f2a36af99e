import Testing
import TensorEngine
import Layers

/// `momentum` nil: after a reset the running statistics are the plain mean of the batches'
/// statistics (PyTorch's cumulative average; the variance unbiased), whatever their number.
@Suite struct BatchNorm2dTests {
    @Test func cumulativeStatisticsAreTheMeanOverBatches() {
        let normalization = BatchNorm2d(2)
        normalization.runningMean.data.update(repeating: 5, count: 2)
        normalization.resetRunningStatistics()
        normalization.momentum = nil
        var random = RandomGenerator(seed: 4)
        var means: [[Double]] = [], variances: [[Double]] = []
        for batch in 0..<3 {
            let x = Tensor.normal([3, 2, 2, 2], using: &random) * Float(batch + 1) + Float(batch)
            _ = normalization(x, .init(training: true, random: random))
            let values = x.scalars
            var batchMeans: [Double] = [], batchVariances: [Double] = []
            for c in 0..<2 {
                let channel = (0..<3).flatMap { n in (0..<4).map { Double(values[n * 8 + c * 4 + $0]) } }
                let mean = channel.reduce(0, +) / 12
                batchMeans.append(mean)
                batchVariances.append(channel.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 11)
            }
            means.append(batchMeans)
            variances.append(batchVariances)
            for c in 0..<2 {
                let expectedMean = means.map { $0[c] }.reduce(0, +) / Double(batch + 1)
                let expectedVariance = variances.map { $0[c] }.reduce(0, +) / Double(batch + 1)
                #expect(abs(Double(normalization.runningMean.scalars[c]) - expectedMean) < 1e-5, "batch \(batch) channel \(c)")
                #expect(abs(Double(normalization.runningVariance.scalars[c]) - expectedVariance) < 1e-4 * max(1, expectedVariance))
            }
        }
        #expect(normalization.batchesTracked.scalars == [3])
    }

    @Test func submodulesFindsEveryBatchNorm() {
        final class Pair: Module {
            let first = BatchNorm2d(1), second = BatchNorm2d(2)
            func visitState(_ visitor: inout StateVisitor) {
                visitor.child("a", first)
                visitor.children("b", [second])
            }
        }
        let pair = Pair()
        #expect(pair.submodules(of: BatchNorm2d.self).map { $0.runningMean.count } == [1, 2])
    }
}
