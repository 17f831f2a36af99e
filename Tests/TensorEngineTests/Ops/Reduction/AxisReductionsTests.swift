import Testing
import TensorEngine

@Suite struct AxisReductionsTests {
    /// Naive sum over `axes` (in Double), keeping reduced axes as size 1.
    static func referenceSum(_ x: Tensor, axes: Set<Int>) -> [Float] {
        let keptShape = (0..<x.rank).map { axes.contains($0) ? 1 : x.shape[$0] }
        var totals = [Double](repeating: 0, count: keptShape.reduce(1, *))
        let values = x.scalars
        for flat in 0..<x.count {
            var index = NaiveIndex.unravel(flat, x.shape)
            for axis in axes { index[axis] = 0 }
            totals[NaiveIndex.ravel(index, keptShape)] += Double(values[flat])
        }
        return totals.map { Float($0) }
    }

    static let cases: [([Int], [Int])] = [
        ([3, 4, 5], [0]), ([3, 4, 5], [1]), ([3, 4, 5], [2]), ([3, 4, 5], [0, 2]), ([3, 4, 5], [-1, -2]),
        ([3, 4, 5], [0, 1, 2]), ([3, 4, 5], []), ([2, 3, 4, 5], [1, 3]), ([2, 3, 4, 5], [0, 2, 3]),
        ([37, 1000], [1]),           // last axis, many rows
        ([1000, 37], [0]),           // leading axis, column blocks
        ([2, 100_000], [1]),         // few outputs, split reduction
        ([100_000, 2], [0]),
        ([3, 500, 70], [1]),         // middle axis
        ([4, 1, 1, 3], [1, 2]),      // unit axes only
        ([3, 0, 2], [1]),            // empty reduction
        ([2, 3, 1100], [0, 2]),
    ]

    @Test(arguments: cases)
    func sumAndMeanMatchNaive(shape: [Int], axes: [Int]) {
        var data = TestData(seed: 81)
        let x = data.normal(shape)
        let resolved = Set(axes.map { ($0 + shape.count) % shape.count })
        let expected = Self.referenceSum(x, axes: resolved)
        let kept = x.sum(axes: axes, keepingDimensions: true)
        #expect(kept.shape == (0..<shape.count).map { resolved.contains($0) ? 1 : shape[$0] })
        expectClose(kept.scalars, expected, tolerance: 1e-5)
        let dropped = x.sum(axes: axes)
        #expect(dropped.shape == (0..<shape.count).filter { !resolved.contains($0) }.map { shape[$0] })
        expectClose(dropped.scalars, expected, tolerance: 1e-5)
        let count = Float(resolved.reduce(1) { $0 * shape[$1] })
        expectClose(x.mean(axes: axes).scalars, expected.map { $0 / Swift.max(count, 1) }, tolerance: 1e-5)
    }

    @Test(arguments: [([3, 4, 5], [1]), ([3, 4, 5], [0, 2]), ([2, 3, 4, 5], [1, 3]), ([6, 70], [-1]), ([70, 6], [0])])
    func sumAndMeanGradients(shape: [Int], axes: [Int]) {
        var data = TestData(seed: 82)
        let x = data.normal(shape)
        expectGradientsMatch([x]) { $0[0].sum(axes: axes) }
        expectGradientsMatch([x]) { $0[0].mean(axes: axes, keepingDimensions: true) }
    }

    /// Distinct values spaced 0.1 apart, so finite differences never change the arg-max.
    static func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        let count = shape.reduce(1, *)
        let keys = Tensor.uniform([count], using: &generator).scalars
        let order = (0..<count).sorted { keys[$0] < keys[$1] }
        var values = [Float](repeating: 0, count: count)
        for (rank, position) in order.enumerated() { values[position] = Float(rank) * 0.1 - Float(count) * 0.05 }
        return Tensor(shape: shape, values: values)
    }

    @Test(arguments: [([3, 4, 5], 0), ([3, 4, 5], 1), ([3, 4, 5], -1), ([2, 7, 300], 1), ([40, 3], 0)])
    func maximumMatchesNaiveAndRoutesGradient(shape: [Int], axis: Int) {
        let x = Self.distinct(shape, seed: 83)
        let resolved = (axis + shape.count) % shape.count
        var outShape = shape
        outShape[resolved] = 1
        let expected = NaiveIndex.tensor(outShape) { index in
            var best = -Float.infinity
            for r in 0..<shape[resolved] {
                var source = index
                source[resolved] = r
                best = Swift.max(best, x.scalars[NaiveIndex.ravel(source, shape)])
            }
            return best
        }
        let kept = x.maximum(axis: axis, keepingDimension: true)
        #expect(kept.shape == outShape)
        expectClose(kept.scalars, expected.scalars, tolerance: 0)
        #expect(x.maximum(axis: axis).shape == shape.enumerated().filter { $0.offset != resolved }.map(\.element))
        expectGradientsMatch([x]) { $0[0].maximum(axis: axis) }
    }

    @Test func maximumTiesGoToFirstAndNaNWins() {
        let x = Tensor(shape: [2, 3], values: [1, 5, 5, 2, .nan, 7]).requiringGrad()
        let m = x.maximum(axis: 1)
        #expect(m.scalars[0] == 5 && m.scalars[1].isNaN)
        m.sum().backward()
        #expect(x.grad?.scalars == [0, 1, 0, 0, 1, 0])
    }

    @Test func badAxisIsNamed() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).sum(axes: [0, 3])
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("sum: axis 3 is out of range for a tensor of rank 2"), "\(message)")
        }
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).maximum(axis: -3)
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("maximum: axis -3 is out of range for a tensor of rank 2"), "\(message)")
        }
    }
}
