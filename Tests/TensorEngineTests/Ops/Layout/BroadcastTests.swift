import Testing
import TensorEngine

@Suite struct BroadcastTests {
    static func reference(_ x: Tensor, to target: [Int]) -> [Float] {
        let lead = target.count - x.rank
        return NaiveIndex.tensor(target) { index in
            let source = (0..<x.rank).map { x.shape[$0] == 1 ? 0 : index[lead + $0] }
            return x.scalars[NaiveIndex.ravel(source, x.shape)]
        }.scalars
    }

    static let cases: [([Int], [Int])] = [
        ([5], [3, 4, 5]), ([5, 1], [5, 7]), ([1, 4, 1], [3, 4, 6]), ([1], [2, 3]), ([], [2, 2]),
        ([3, 1, 2], [2, 3, 5, 2]), ([2, 3], [2, 3]),
    ]

    @Test(arguments: cases)
    func valuesMatchNaiveBroadcast(shape: [Int], target: [Int]) {
        var data = TestData(seed: 61)
        let x = data.normal(shape)
        let y = x.broadcasted(to: target)
        #expect(y.shape == target)
        expectClose(y.scalars, Self.reference(x, to: target), tolerance: 0)
    }

    @Test(arguments: cases)
    func gradients(shape: [Int], target: [Int]) {
        var data = TestData(seed: 62)
        expectGradientsMatch([data.normal(shape)]) { $0[0].broadcasted(to: target) }
    }

    @Test func expandKeepsMinusOneAxes() {
        var data = TestData(seed: 63)
        let x = data.normal([1, 3, 1])
        let y = x.expanded([2, -1, -1, 4])
        #expect(y.shape == [2, 1, 3, 4])
        expectClose(y.scalars, Self.reference(x, to: [2, 1, 3, 4]), tolerance: 0)
        expectGradientsMatch([x]) { $0[0].expanded([2, -1, -1, 4]) }
    }

    @Test func incompatibleNamesBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).broadcasted(to: [4, 3])
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("broadcast: shape mismatch between [2, 3] and [4, 3]"), "\(message)")
        }
    }
}
