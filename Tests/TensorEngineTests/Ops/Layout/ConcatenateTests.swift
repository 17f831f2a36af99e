import Testing
import TensorEngine

@Suite struct ConcatenateTests {
    /// Naive concatenation: find the input whose range along `axis` holds each output index.
    static func reference(_ tensors: [Tensor], axis: Int) -> [Float] {
        var outShape = tensors[0].shape
        outShape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        return (0..<outShape.reduce(1, *)).map { flat in
            var index = NaiveIndex.unravel(flat, outShape)
            for t in tensors {
                if index[axis] < t.shape[axis] { return t.scalars[NaiveIndex.ravel(index, t.shape)] }
                index[axis] -= t.shape[axis]
            }
            fatalError("unreachable")
        }
    }

    @Test(arguments: [0, 1, 2, -1])
    func valuesMatchNaiveConcatenation(axis: Int) {
        var data = TestData(seed: 21)
        let resolved = (axis + 3) % 3
        let shapes = [2, 3, 1].map { size -> [Int] in
            var shape = [3, 4, 5]
            shape[resolved] = size
            return shape
        }
        let tensors = shapes.map { data.normal($0) }
        let joined = Tensor.concatenated(tensors, axis: axis)
        #expect(joined.shape[resolved] == 6)
        expectClose(joined.scalars, Self.reference(tensors, axis: resolved), tolerance: 0)
    }

    @Test func largeLeadingAxisAndEmptyPiece() {
        var data = TestData(seed: 22)
        let a = data.normal([70_000]), b = data.normal([0]), c = data.normal([3])
        let joined = Tensor.concatenated([a, b, c], axis: 0)
        expectClose(joined.scalars, a.scalars + c.scalars, tolerance: 0)
    }

    @Test func gradients() {
        var data = TestData(seed: 23)
        let a = data.normal([2, 3, 4]), b = data.normal([2, 1, 4]), c = data.normal([2, 2, 4])
        expectGradientsMatch([a, b, c]) { Tensor.concatenated($0, axis: 1) }
        expectGradientsMatch([a, a.copy()]) { Tensor.concatenated([$0[0], $0[1], $0[0]], axis: -1) }
    }

    @Test func splitValuesAndRoundTrip() {
        var data = TestData(seed: 24)
        let x = data.normal([2, 9, 3])
        let pieces = x.split(sizes: [2, 0, 4, 3], axis: -2)
        #expect(pieces.map(\.shape) == [[2, 2, 3], [2, 0, 3], [2, 4, 3], [2, 3, 3]])
        var start = 0
        for piece in pieces {
            let expected = NaiveIndex.tensor(piece.shape) { i in x.scalars[NaiveIndex.ravel([i[0], i[1] + start, i[2]], x.shape)] }
            expectClose(piece.scalars, expected.scalars, tolerance: 0)
            start += piece.shape[1]
        }
        expectClose(Tensor.concatenated(pieces, axis: 1).scalars, x.scalars, tolerance: 0)
    }

    @Test func splitGradientsWithUnusedPiece() {
        var data = TestData(seed: 25)
        let x = data.normal([3, 7, 2])
        expectGradientsMatch([x]) {
            let pieces = $0[0].split(sizes: [2, 3, 2], axis: 1)
            return pieces[0] * 2 + pieces[2]   // the middle piece is never used
        }
        expectGradientsMatch([x]) {
            let pieces = $0[0].split(sizes: [1, 1], axis: -1)
            return pieces[1] * pieces[0] + pieces[1]
        }
    }

    @Test func mismatchNamesBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.concatenated([Tensor.zeros([2, 3]), Tensor.zeros([3, 4])], axis: 1)
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("concatenate: shape mismatch between [2, 3] and [3, 4]"), "\(message)")
        }
    }

    @Test func badSplitNamesShapeAndSizes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 5]).split(sizes: [2, 2], axis: 1)
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("split: shape mismatch between [2, 5] and [2, 2]"), "\(message)")
        }
    }
}
