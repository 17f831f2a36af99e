import Testing
import TensorEngine

@Suite struct PadTests {
    static func reference(_ x: Tensor, before: [Int], after: [Int], value: Float) -> Tensor {
        let outShape = (0..<x.rank).map { x.shape[$0] + before[$0] + after[$0] }
        return NaiveIndex.tensor(outShape) { index in
            let source = (0..<x.rank).map { index[$0] - before[$0] }
            let inside = (0..<x.rank).allSatisfy { source[$0] >= 0 && source[$0] < x.shape[$0] }
            return inside ? x.scalars[NaiveIndex.ravel(source, x.shape)] : value
        }
    }

    @Test func valuesMatchNaivePadding() {
        var data = TestData(seed: 41)
        let x = data.normal([2, 5, 3, 4])
        let full = x.padded([(1, 0), (0, 2), (3, 1), (2, 2)], value: -1.5)
        let expected = Self.reference(x, before: [1, 0, 3, 2], after: [0, 2, 1, 2], value: -1.5)
        #expect(full.shape == expected.shape)
        expectClose(full.scalars, expected.scalars, tolerance: 0)
        // Only the last two axes (SwinV2 padding H and W of [B, H, W, C] would pass three pairs).
        let trailing = x.padded([(0, 3), (1, 0)])
        expectClose(trailing.scalars, Self.reference(x, before: [0, 0, 0, 1], after: [0, 0, 3, 0], value: 0).scalars, tolerance: 0)
        expectClose(x.padded([]).scalars, x.scalars, tolerance: 0)
    }

    @Test func gradients() {
        var data = TestData(seed: 42)
        let x = data.normal([2, 3, 5])
        expectGradientsMatch([x]) { $0[0].padded([(1, 2), (0, 1), (2, 0)], value: 0.5) }
        expectGradientsMatch([x]) { $0[0].padded([(0, 3)]) }
    }

    @Test func tooManyPairsNamesShapeAndPadding() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).padded([(1, 1), (0, 0), (2, 2)])
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("pad: shape mismatch between [2, 3] and [1, 1, 0, 0, 2, 2]"), "\(message)")
        }
    }
}
