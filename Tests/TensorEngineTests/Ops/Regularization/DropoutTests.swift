import Testing
import TensorEngine

@Suite struct DropoutTests {
    @Test func dropsTheRightFractionAndPreservesTheMean() {
        let x = Tensor.ones([1 << 20])
        for p: Float in [0.1, 0.5, 0.9] {
            var generator = RandomGenerator(seed: 81)
            let y = x.dropout(probability: p, training: true, using: &generator)
            let values = y.scalars
            let dropped = Double(values.filter { $0 == 0 }.count) / Double(values.count)
            // Binomial: the standard deviation of the fraction is below 5e-4 at 1M elements.
            #expect(abs(dropped - Double(p)) < 3e-3, "p = \(p): dropped \(dropped)")
            #expect(values.allSatisfy { $0 == 0 || abs($0 - 1 / (1 - p)) < 1e-6 })
            #expect(abs(y.sumOfElements() / Double(values.count) - 1) < 2e-2, "p = \(p): mean \(y.sumOfElements() / Double(values.count))")
        }
    }

    @Test func reproducibleFromASeedAndAdvancing() {
        var data = TestData(seed: 82)
        let x = data.normal([3, 1001])
        var first = RandomGenerator(seed: 5), second = RandomGenerator(seed: 5)
        let a = x.dropout(probability: 0.3, training: true, using: &first)
        let b = x.dropout(probability: 0.3, training: true, using: &second)
        #expect(a.scalars == b.scalars)
        #expect(first == second)
        // The generator moved on: the next call draws another mask.
        let c = x.dropout(probability: 0.3, training: true, using: &first)
        #expect(a.scalars != c.scalars)
        // The mask does not depend on the thread count.
        ThreadPool.shared.setActiveThreads(1)
        var serial = RandomGenerator(seed: 5)
        let d = x.dropout(probability: 0.3, training: true, using: &serial)
        ThreadPool.shared.setActiveThreads(ThreadPool.shared.threadCount)
        #expect(a.scalars == d.scalars)
    }

    @Test func identityOutsideTrainingOrAtZero() {
        let x = Tensor(shape: [4], values: [1, 2, 3, 4])
        var generator = RandomGenerator(seed: 83)
        #expect(x.dropout(probability: 0.5, training: false, using: &generator) === x)
        #expect(x.dropout(probability: 0, training: true, using: &generator) === x)
        #expect(x.dropPath(probability: 0.5, training: false, using: &generator) === x)
        #expect(x.dropPath(probability: 0, training: true, using: &generator) === x)
        #expect(generator == RandomGenerator(seed: 83))
        #expect(x.dropout(probability: 1, training: true, using: &generator).scalars == [0, 0, 0, 0])
        #expect(x.dropPath(probability: 1, training: true, using: &generator).scalars == [0, 0, 0, 0])
    }

    @Test(arguments: [[7], [3, 64], [5, 203]])
    func gradientIsMaskTimesScale(shape: [Int]) {
        var data = TestData(seed: 84)
        let x = data.awayFromZero(shape).requiringGrad()
        let upstream = data.normal(shape)
        var generator = RandomGenerator(seed: 85)
        let y = x.dropout(probability: 0.25, training: true, using: &generator)
        y.backward(gradient: upstream)
        let mask: [Float] = y.scalars.map { $0 == 0 ? 0 : 1 }
        expectClose(y.scalars, zip(x.scalars, mask).map { $0 * $1 / 0.75 }, tolerance: 1e-7)
        expectClose(x.grad?.scalars ?? [], zip(upstream.scalars, mask).map { $0 * $1 / 0.75 }, tolerance: 1e-7)
        // The finite-difference check sees the same mask on every evaluation.
        expectGradientsMatch([x]) { inputs in
            var generator = RandomGenerator(seed: 85)
            return inputs[0].dropout(probability: 0.25, training: true, using: &generator)
        }
    }

    @Test func dropPathDropsWholeSamples() {
        var data = TestData(seed: 86)
        let x = data.awayFromZero([64, 3, 5]).requiringGrad()
        var generator = RandomGenerator(seed: 87)
        let y = x.dropPath(probability: 0.5, training: true, using: &generator)
        // Same draws as timm: one uniform per sample, kept below 1 − p.
        var replay = RandomGenerator(seed: 87)
        let keep = (0..<64).map { _ in replay.nextUniform() < 0.5 }
        #expect(generator == replay)
        #expect(keep.contains(true) && keep.contains(false))
        let upstream = data.normal([64, 3, 5])
        y.backward(gradient: upstream)
        for sample in 0..<64 {
            let range = sample * 15..<(sample + 1) * 15
            let scale: Float = keep[sample] ? 2 : 0
            expectClose(Array(y.scalars[range]), x.scalars[range].map { $0 * scale }, tolerance: 0)
            expectClose(Array(x.grad!.scalars[range]), upstream.scalars[range].map { $0 * scale }, tolerance: 0)
        }
        expectGradientsMatch([data.normal([6, 7])]) { inputs in
            var generator = RandomGenerator(seed: 88)
            return inputs[0].dropPath(probability: 0.3, training: true, using: &generator)
        }
    }

    @Test func dropPathStatistics() {
        let x = Tensor.ones([20_000, 3])
        var generator = RandomGenerator(seed: 89)
        let y = x.dropPath(probability: 0.2, training: true, using: &generator)
        let dropped = Double(stride(from: 0, to: y.count, by: 3).filter { y.data[$0] == 0 }.count) / 20_000
        #expect(abs(dropped - 0.2) < 0.015, "dropped \(dropped)")
        #expect(abs(y.sumOfElements() / Double(y.count) - 1) < 0.03)
    }

    @Test func probabilityOutOfRangeFails() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var generator = RandomGenerator(seed: 1)
            _ = Tensor.zeros([2]).dropout(probability: 1.5, training: true, using: &generator)
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("dropout: probability 1.5 is outside [0, 1]"), "\(message)")
        }
    }
}
