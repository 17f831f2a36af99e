import Testing
import TensorEngine

@Suite struct BatchNormTests {
    /// Per-channel (mean, biased variance) of `[N, C, inner...]` in Double.
    static func channelStatistics(_ x: [Float], shape: [Int]) -> [(mean: Double, variance: Double)] {
        let n = shape[0], c = shape[1], inner = x.count / (n * c)
        return (0..<c).map { ch in
            var values: [Double] = []
            for b in 0..<n { for i in 0..<inner { values.append(Double(x[(b * c + ch) * inner + i])) } }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            return (mean, variance)
        }
    }

    /// Naive batch norm with the given per-channel statistics.
    static func normalize(_ x: [Float], shape: [Int], statistics: [(mean: Double, variance: Double)],
                          weight: [Float]?, bias: [Float]?, epsilon: Double = 1e-5) -> [Float] {
        let n = shape[0], c = shape[1], inner = x.count / (n * c)
        var y = [Float](repeating: 0, count: x.count)
        for b in 0..<n {
            for ch in 0..<c {
                let (mean, variance) = statistics[ch]
                for i in 0..<inner {
                    let index = (b * c + ch) * inner + i
                    let xhat = (Double(x[index]) - mean) / (variance + epsilon).squareRoot()
                    y[index] = Float(xhat * Double(weight?[ch] ?? 1) + Double(bias?[ch] ?? 0))
                }
            }
        }
        return y
    }

    @Test(arguments: [[4, 3, 5, 7], [6, 5], [2, 4, 9], [3, 2, 1, 17]])
    func trainingMatchesNaiveReferenceAndUpdatesRunningStatistics(shape: [Int]) {
        var data = TestData(seed: 21)
        let c = shape[1]
        let x = data.normal(shape, std: 2) + 3, w = data.normal([c]), b = data.normal([c])
        let runningMean = data.normal([c]), runningVariance = data.uniform([c], 0.5, 2)
        let (mean0, variance0) = (runningMean.scalars, runningVariance.scalars)
        let y = x.batchNorm(weight: w, bias: b, runningMean: runningMean, runningVariance: runningVariance, training: true)
        let statistics = Self.channelStatistics(x.scalars, shape: shape)
        expectClose(y.scalars, Self.normalize(x.scalars, shape: shape, statistics: statistics, weight: w.scalars, bias: b.scalars),
                    tolerance: 1e-5)
        let m = Double(x.count / c)
        expectClose(runningMean.scalars, (0..<c).map { Float(0.9 * Double(mean0[$0]) + 0.1 * statistics[$0].mean) }, tolerance: 1e-6)
        expectClose(runningVariance.scalars,
                    (0..<c).map { Float(0.9 * Double(variance0[$0]) + 0.1 * statistics[$0].variance * m / (m - 1)) },
                    tolerance: 1e-6)
        // Without running statistics or affine parameters.
        expectClose(x.batchNorm(weight: nil, bias: nil, runningMean: nil, runningVariance: nil, training: true).scalars,
                    Self.normalize(x.scalars, shape: shape, statistics: statistics, weight: nil, bias: nil), tolerance: 1e-5)
    }

    @Test func evaluationUsesRunningStatistics() {
        var data = TestData(seed: 22)
        let shape = [3, 4, 6, 5]
        let x = data.normal(shape), w = data.normal([4]), b = data.normal([4])
        let runningMean = data.normal([4]), runningVariance = data.uniform([4], 0.5, 2)
        let before = (runningMean.scalars, runningVariance.scalars)
        let y = x.batchNorm(weight: w, bias: b, runningMean: runningMean, runningVariance: runningVariance,
                            training: false, epsilon: 1e-3)
        let statistics = (0..<4).map { (mean: Double(before.0[$0]), variance: Double(before.1[$0])) }
        expectClose(y.scalars, Self.normalize(x.scalars, shape: shape, statistics: statistics, weight: w.scalars,
                                              bias: b.scalars, epsilon: 1e-3), tolerance: 1e-5)
        #expect(runningMean.scalars == before.0 && runningVariance.scalars == before.1)
    }

    @Test(arguments: [[3, 2, 4, 5], [5, 3], [2, 3, 3, 11]])
    func trainingGradients(shape: [Int]) {
        var data = TestData(seed: 23)
        let c = shape[1]
        let x = data.normal(shape), w = data.normal([c]), b = data.normal([c])
        let runningMean = Tensor.zeros([c]), runningVariance = Tensor.ones([c])
        expectGradientsMatch([x, w, b]) {
            $0[0].batchNorm(weight: $0[1], bias: $0[2], runningMean: runningMean, runningVariance: runningVariance, training: true)
        }
        expectGradientsMatch([x]) {
            $0[0].batchNorm(weight: nil, bias: nil, runningMean: nil, runningVariance: nil, training: true)
        }
    }

    @Test(arguments: [[3, 2, 4, 5], [5, 3]])
    func evaluationGradients(shape: [Int]) {
        var data = TestData(seed: 24)
        let c = shape[1]
        let x = data.normal(shape), w = data.normal([c]), b = data.normal([c])
        let runningMean = data.normal([c]), runningVariance = data.uniform([c], 0.5, 2)
        expectGradientsMatch([x, w, b]) {
            $0[0].batchNorm(weight: $0[1], bias: $0[2], runningMean: runningMean, runningVariance: runningVariance, training: false)
        }
    }

    @Test func mismatchNamesBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3, 4, 4]).batchNorm(weight: Tensor.ones([5]), bias: nil, runningMean: nil,
                                                     runningVariance: nil, training: true)
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("batchNorm: shape mismatch between [2, 3, 4, 4] and [5]"), "\(message)")
        }
    }

    @Test func trainingNeedsMoreThanOneValuePerChannel() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 3]).batchNorm(weight: nil, bias: nil, runningMean: nil, runningVariance: nil, training: true)
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("batchNorm: training needs more than one value per channel"), "\(message)")
        }
    }
}
