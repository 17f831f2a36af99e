import Testing
import TensorEngine

@Suite struct MinMaxTests {
    @Test func clampedValuesAndBoundaryGradient() {
        var data = TestData(seed: 21)
        let x = data.normal([1003], std: 2)
        expectClose(x.clamped(min: -1, max: 0.5).scalars, x.scalars.map { Swift.min(Swift.max($0, -1), 0.5) }, tolerance: 0)
        expectClose(x.clamped(min: 0).scalars, x.scalars.map { Swift.max($0, 0) }, tolerance: 0)
        expectClose(x.clamped(max: 0).scalars, x.scalars.map { Swift.min($0, 0) }, tolerance: 0)
        // min > max: everything becomes max, as torch.clamp.
        #expect(Tensor(shape: [3], values: [-5, 0, 5]).clamped(min: 2, max: 1).scalars == [1, 1, 1])

        // PyTorch passes the gradient at the bounds themselves.
        let edges = Tensor(shape: [5], values: [-2, -1, 0, 1, 2]).requiringGrad()
        edges.clamped(min: -1, max: 1).sum().backward()
        #expect(edges.grad?.scalars == [0, 1, 1, 1, 0])
    }

    @Test func clampedGradient() {
        var data = TestData(seed: 22)
        let x = data.normal([4, 9], std: 2)
        for i in 0..<x.count where Swift.abs(Swift.abs(x.data[i]) - 1) < 0.05 { x.data[i] += 0.2 }
        expectGradientsMatch([x]) { $0[0].clamped(min: -1, max: 1) }
        expectGradientsMatch([x]) { $0[0].clamped(min: -1) }
    }

    @Test func maximumAndMinimumBroadcast() {
        let a = Tensor(shape: [2, 3], values: [1, 5, 3, -4, 0, 9])
        let b = Tensor(shape: [3], values: [2, 2, 3])
        #expect(a.maximum(b).scalars == [2, 5, 3, 2, 2, 9])
        #expect(a.minimum(b).scalars == [1, 2, 3, -4, 0, 3])
        #expect(b.maximum(a).shape == [2, 3])
        // The gradient goes to the chosen side; ties split it in half (PyTorch).
        a.requiringGrad()
        b.requiringGrad()
        a.maximum(b).sum().backward()
        #expect(a.grad?.scalars == [0, 1, 0.5, 0, 0, 1])
        #expect(b.grad?.scalars == [2, 1, 0.5])
        a.zeroGrad()
        b.zeroGrad()
        a.minimum(b).sum().backward()
        #expect(a.grad?.scalars == [1, 0, 0.5, 1, 1, 0])
        #expect(b.grad?.scalars == [0, 1, 1.5])
        #expect(Tensor(shape: [2], values: [.nan, 1]).maximum(Tensor(shape: [2], values: [0, .nan])).scalars.allSatisfy { $0.isNaN })
    }

    @Test(arguments: [([3, 4], [3, 4]), ([3, 4], [4]), ([2, 3, 4], [3, 1]), ([3, 4], [])])
    func maximumAndMinimumGradients(lhs: [Int], rhs: [Int]) {
        var data = TestData(seed: 23)
        let a = data.normal(lhs), b = data.normal(rhs)
        expectGradientsMatch([a, b], epsilon: 1e-3) { $0[0].maximum($0[1]) }
        expectGradientsMatch([a, b], epsilon: 1e-3) { $0[0].minimum($0[1]) }
    }

    @Test func mismatchNamesBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).maximum(Tensor.zeros([4]))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("maximum: shape mismatch between [2, 3] and [4]"), "\(message)")
        }
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2]).clamped()
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("clamped: needs at least one of min and max"), "\(message)")
        }
    }
}
