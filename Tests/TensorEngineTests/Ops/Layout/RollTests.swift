import Testing
import TensorEngine

@Suite struct RollTests {
    /// Naive torch.roll: output index i reads input index (i − shift) mod size per axis.
    static func reference(_ x: Tensor, shifts: [Int], axes: [Int]) -> [Float] {
        NaiveIndex.tensor(x.shape) { index in
            var source = index
            for (shift, axis) in zip(shifts, axes) {
                let size = x.shape[axis]
                source[axis] = (((source[axis] - shift) % size) + size) % size
            }
            return x.scalars[NaiveIndex.ravel(source, x.shape)]
        }.scalars
    }

    static let cases: [([Int], [Int])] = [
        ([-3, -3], [1, 2]),      // SwinV2 shift of [B, H, W, C]
        ([3, 3], [1, 2]),        // and back
        ([1], [0]), ([-1], [-1]), ([9], [1]), ([-17, 2], [2, 2]), ([7, 0], [1, 2]), ([2, 1, 1, 5], [0, 1, 2, 3]),
    ]

    @Test(arguments: cases)
    func valuesMatchNaiveRoll(shifts: [Int], axes: [Int]) {
        var data = TestData(seed: 51)
        let x = data.normal([2, 7, 7, 6])
        let resolved = axes.map { ($0 + 4) % 4 }
        expectClose(x.rolled(shifts: shifts, axes: axes).scalars,
                    Self.reference(x, shifts: shifts, axes: resolved), tolerance: 0)
    }

    @Test func rollingBackRestores() {
        var data = TestData(seed: 52)
        let x = data.normal([2, 56, 56, 8])
        let shifted = x.rolled(shifts: [-3, -3], axes: [1, 2])
        expectClose(shifted.rolled(shifts: [3, 3], axes: [1, 2]).scalars, x.scalars, tolerance: 0)
        #expect(x.rolled(shifts: [56], axes: [1]) === x)
    }

    @Test(arguments: cases)
    func gradients(shifts: [Int], axes: [Int]) {
        var data = TestData(seed: 53)
        let x = data.normal([2, 7, 7, 6])
        expectGradientsMatch([x]) { $0[0].rolled(shifts: shifts, axes: axes) }
    }

    @Test func mismatchedCountsNameBoth() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).rolled(shifts: [1, 2], axes: [0])
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("roll: shape mismatch between [1, 2] and [0]"), "\(message)")
        }
    }
}
