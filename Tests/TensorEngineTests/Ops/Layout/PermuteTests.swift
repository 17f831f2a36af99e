import Testing
import TensorEngine

@Suite struct PermuteTests {
    /// Naive permute: output index `k` reads input index with `input[axes[k]] = output[k]`.
    static func reference(_ x: Tensor, _ axes: [Int]) -> [Float] {
        let outShape = axes.map { x.shape[$0] }
        let values = x.scalars
        return (0..<x.count).map { flat in
            let outIndex = NaiveIndex.unravel(flat, outShape)
            var inIndex = [Int](repeating: 0, count: axes.count)
            for (k, axis) in axes.enumerated() { inIndex[axis] = outIndex[k] }
            return values[NaiveIndex.ravel(inIndex, x.shape)]
        }
    }

    static let cases: [([Int], [Int])] = [
        ([2, 4, 7, 4, 7, 12], [0, 1, 3, 2, 4, 5]),   // window partition: runs of w·C
        ([2, 4, 4, 7, 7, 12], [0, 1, 3, 2, 4, 5]),   // window reverse
        ([33, 65], [1, 0]),                          // 2-D transpose, partial tiles
        ([3, 70, 130], [0, 2, 1]),                   // batched last-two swap, parallel
        ([3, 4, 5, 6], [3, 1, 0, 2]),                // last axis moves to the front
        ([2, 3, 4, 5], [1, 0, 3, 2]),                // two swaps
        ([5, 1, 3, 1], [3, 2, 1, 0]),                // unit axes
        ([4, 6, 2], [1, 0, 2]),                      // short kept runs
        ([2, 12, 20], [0, 2, 1]),                    // one 8-row register block plus a tail
        ([45, 19], [1, 0]),                          // 16-row strips with a 13-row tail
        ([7], [0]),                                  // identity
    ]

    @Test(arguments: cases)
    func valuesMatchNaivePermute(shape: [Int], axes: [Int]) {
        var data = TestData(seed: 11)
        let x = data.normal(shape)
        let y = x.permuted(axes)
        #expect(y.shape == axes.map { shape[$0] })
        expectClose(y.scalars, Self.reference(x, axes), tolerance: 0)
    }

    @Test func negativeAxesAndTranspose() {
        var data = TestData(seed: 12)
        let x = data.normal([2, 3, 4])
        expectClose(x.permuted([-1, 0, -2]).scalars, Self.reference(x, [2, 0, 1]), tolerance: 0)
        expectClose(x.transposed(0, -1).scalars, Self.reference(x, [2, 1, 0]), tolerance: 0)
        expectClose(x.transposed(-1, -2).scalars, x.transposedLastTwo().scalars, tolerance: 0)
        #expect(x.transposed(1, 1) === x)
    }

    @Test(arguments: cases)
    func gradients(shape: [Int], axes: [Int]) {
        var data = TestData(seed: 13)
        let x = data.normal(shape)
        expectGradientsMatch([x]) { $0[0].permuted(axes) }
    }

    @Test func transposeGradients() {
        var data = TestData(seed: 14)
        expectGradientsMatch([data.normal([3, 4, 5])]) { $0[0].transposed(0, 2) }
    }

    @Test func badAxesNameShapeAndAxes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).permuted([0, 0])
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("permute: shape mismatch between [2, 3] and [0, 0]"), "\(message)")
        }
    }
}
