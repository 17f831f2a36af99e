import Testing
import TensorEngine

@Suite struct IndexSelectTests {
    static func reference(_ x: Tensor, axis: Int, indices: [Int32]) -> [Float] {
        var outShape = x.shape
        outShape[axis] = indices.count
        return NaiveIndex.tensor(outShape) { index in
            var source = index
            source[axis] = Int(indices[index[axis]])
            return x.scalars[NaiveIndex.ravel(source, x.shape)]
        }.scalars
    }

    /// A SwinV2-style relative-position index for a `w × w` window: `[w², w²]` into a
    /// `[(2w − 1)², heads]` table; every table row is used many times.
    static func relativePositionIndex(window w: Int) -> [Int32] {
        var index: [Int32] = []
        for i in 0..<(w * w) {
            for j in 0..<(w * w) {
                let dy = i / w - j / w + w - 1, dx = i % w - j % w + w - 1
                index.append(Int32(dy * (2 * w - 1) + dx))
            }
        }
        return index
    }

    @Test(arguments: [0, 1, 2, -1])
    func valuesMatchNaiveSelection(axis: Int) {
        var data = TestData(seed: 71)
        let x = data.normal([4, 5, 6])
        let resolved = (axis + 3) % 3
        let indices: [Int32] = [3, 0, 3, 1, 1, 2, 0]
        expectClose(x.indexSelect(axis: axis, indices: indices).scalars,
                    Self.reference(x, axis: resolved, indices: indices), tolerance: 0)
    }

    @Test func positionBiasLookup() {
        var data = TestData(seed: 72)
        let w = 7, heads = 3
        let table = data.normal([(2 * w - 1) * (2 * w - 1), heads])
        let index = Self.relativePositionIndex(window: w)
        let bias = table.gatherRows(index, indexShape: [w * w, w * w])
        #expect(bias.shape == [49, 49, 3])
        expectClose(bias.scalars, Self.reference(table, axis: 0, indices: index), tolerance: 0)
        #expect(table.gatherRows([]).shape == [0, 3])
    }

    @Test func gradientsAddUpRepeatedIndices() {
        var data = TestData(seed: 73)
        let table = data.normal([9, 2])
        expectGradientsMatch([table]) { $0[0].gatherRows(Self.relativePositionIndex(window: 2), indexShape: [4, 4]) }
        let x = data.normal([3, 4, 600])
        expectGradientsMatch([x]) { $0[0].indexSelect(axis: 1, indices: [2, 2, 0, 2]) }
        expectGradientsMatch([x]) { $0[0].indexSelect(axis: -1, indices: [599, 0, 5, 599]) }
        // The scatter-add itself, exactly: a row picked k times gets k × the upstream sum.
        let t = Tensor.zeros([3, 2]).requiringGrad()
        t.gatherRows([1, 1, 2, 1]).sum().backward()
        #expect(t.grad?.scalars == [0, 0, 3, 3, 1, 1])
    }

    @Test func outOfRangeIndexIsNamed() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([4, 3]).gatherRows([1, 5])
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("indexSelect: index 5 at position 1 is out of range 0..<4 for axis 0 of a tensor of shape [4, 3]"), "\(message)")
        }
    }

    @Test func indexShapeMismatchNamesBoth() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([4, 3]).gatherRows([1, 2, 3], indexShape: [2, 2])
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("gatherRows: shape mismatch between [2, 2] and [3]"), "\(message)")
        }
    }
}
