import Testing
@testable import TensorEngine

/// `summedToShape`, which undoes broadcasting in every backward pass: against a naive
/// double-precision sum, on sizes that split into several partial sums (a per-head scale over
/// `[B, heads, N, N]`, a position bias over windows, a linear layer's bias over tokens), twice
/// with the same result (the split depends on the sizes only).
@Suite struct BroadcastReductionTests {
    /// The sum of `source` (`shape`) down to `target` in double precision.
    static func naive(_ source: [Float], shape: [Int], target: [Int]) -> [Float] {
        let padded = [Int](repeating: 1, count: shape.count - target.count) + target
        let targetStrides = Shape.broadcastStrides(target, to: shape)
        var sums = [Double](repeating: 0, count: max(1, padded.reduce(1, *)))
        var index = [Int](repeating: 0, count: shape.count)
        for value in source {
            var offset = 0
            for axis in 0..<shape.count { offset += index[axis] * targetStrides[axis] }
            sums[offset] += Double(value)
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return sums.map { Float($0) }
    }

    @Test(arguments: [
        ([16, 3, 64, 64], [3, 1, 1]),        // per-head temperature: rows summed to one value each
        ([16, 3, 64, 64], [3, 64, 64]),      // position bias shared by every window
        ([4096, 96], [96]),                  // a linear layer's bias over tokens
        ([8, 50, 7, 130], [50, 1, 130]),     // broadcast axes in the middle and at the front
        ([5, 3], [1, 3]),                    // too small to split
    ])
    func matchesNaiveSum(shape: [Int], target: [Int]) {
        var data = TestData(seed: UInt64(shape.reduce(0, +) + target.count))
        let source = data.normal(shape)
        let expected = Self.naive(source.scalars, shape: shape, target: target)
        let first = source.summedToShape(target), second = source.summedToShape(target)
        #expect(first.shape == target)
        expectClose(first.scalars, expected, tolerance: 1e-3)
        #expect(first.scalars == second.scalars, "the sum must be the same from run to run")
    }
}
