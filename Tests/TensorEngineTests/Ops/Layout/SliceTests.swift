import Testing
import TensorEngine

@Suite struct SliceTests {
    static func reference(_ x: Tensor, axis: Int, range: Range<Int>, step: Int) -> [Float] {
        var outShape = x.shape
        outShape[axis] = (range.count + step - 1) / step
        return NaiveIndex.tensor(outShape) { index in
            var source = index
            source[axis] = range.lowerBound + index[axis] * step
            return x.scalars[NaiveIndex.ravel(source, x.shape)]
        }.scalars
    }

    static let cases: [(Int, Range<Int>, Int)] = [
        (0, 1..<3, 1), (1, 2..<7, 1), (2, 0..<6, 1), (-1, 1..<6, 2), (1, 0..<8, 3), (1, 3..<3, 1), (0, 0..<4, 4),
    ]

    @Test(arguments: cases)
    func valuesMatchNaiveSlice(axis: Int, range: Range<Int>, step: Int) {
        var data = TestData(seed: 31)
        let x = data.normal([4, 8, 6])
        let resolved = (axis + 3) % 3
        let y = x.sliced(axis: axis, range: range, step: step)
        #expect(y.shape[resolved] == (range.count + step - 1) / step)
        expectClose(y.scalars, Self.reference(x, axis: resolved, range: range, step: step), tolerance: 0)
    }

    @Test(arguments: cases)
    func gradients(axis: Int, range: Range<Int>, step: Int) {
        var data = TestData(seed: 32)
        let x = data.normal([4, 8, 6])
        expectGradientsMatch([x]) { $0[0].sliced(axis: axis, range: range, step: step) }
    }

    @Test func overlappingSlicesAccumulate() {
        var data = TestData(seed: 33)
        let x = data.normal([5, 9])
        expectGradientsMatch([x]) {
            $0[0].sliced(axis: 1, range: 0..<6) + $0[0].sliced(axis: 1, range: 3..<9) * $0[0].sliced(axis: 1, range: 1..<7)
        }
    }

    /// A slice that is one contiguous block (a range of the leading axis, or of any axis after
    /// unit axes) shares the input's storage; others are copies. Either way the values and the
    /// gradient are those of the naive slice.
    @Test func contiguousBlocksAreViews() {
        var data = TestData(seed: 34)
        let x = data.normal([3, 4, 5])
        let pieces = x.split(sizes: [1, 2], axis: 0)
        #expect(pieces[0].storage === x.storage && pieces[1].storage === x.storage)
        #expect(pieces[1].storageOffset == x.storageOffset + 20)
        expectClose(pieces[1].scalars, Self.reference(x, axis: 0, range: 1..<3, step: 1), tolerance: 0)
        let inner = pieces[1].sliced(axis: 0, range: 1..<2).reshaped([1, 4, 5]).sliced(axis: 1, range: 1..<3)
        #expect(inner.storage === x.storage && inner.storageOffset == x.storageOffset + 45)
        expectClose(inner.scalars, Array(x.scalars[45..<55]), tolerance: 0)
        #expect(x.sliced(axis: 1, range: 1..<3).storage !== x.storage)
        #expect(x.sliced(axis: 0, range: 0..<3, step: 2).storage !== x.storage)
        expectGradientsMatch([x]) { input in
            let parts = input[0].split(sizes: [1, 1, 1], axis: 0)
            return parts[0] * parts[2] + parts[1].sliced(axis: 0, range: 0..<1).sliced(axis: 1, range: 1..<3).sum()
        }
    }

    @Test func outOfBoundsNamesRangeAndShape() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 5]).sliced(axis: 1, range: 1..<7)
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("slice: range 1..<7 is out of bounds for axis 1 of a tensor of shape [2, 5]"), "\(message)")
        }
    }
}
