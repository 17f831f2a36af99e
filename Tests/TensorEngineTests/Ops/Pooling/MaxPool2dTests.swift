import Testing
import TensorEngine

@Suite struct MaxPool2dTests {
    static let cases: [(shape: [Int], kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int))] = [
        ([2, 3, 8, 8], (2, 2), (2, 2), (0, 0)),
        ([1, 2, 7, 9], (3, 3), (2, 2), (1, 1)),   // ResNet stem pooling, odd sizes
        ([2, 2, 6, 11], (3, 2), (1, 3), (1, 1)),  // non-square, overlapping rows
        ([1, 1, 5, 5], (5, 5), (1, 1), (2, 2)),
    ]

    @Test(arguments: cases.indices)
    func valuesMatchNaiveReference(_ index: Int) {
        let c = Self.cases[index]
        var data = TestData(seed: 41)
        let x = data.normal(c.shape)
        let expected = PoolingReference.pool(x, kernel: c.kernel, stride: c.stride, padding: c.padding) { values, _ in values.max()! }
        expectClose(x.maxPool2d(kernel: c.kernel, stride: c.stride, padding: c.padding).scalars, expected, tolerance: 0)
    }

    @Test(arguments: cases.indices)
    func gradients(_ index: Int) {
        let c = Self.cases[index]
        let x = PoolingReference.distinct(c.shape)
        expectGradientsMatch([x], maxElementsPerInput: 200) { $0[0].maxPool2d(kernel: c.kernel, stride: c.stride, padding: c.padding) }
    }

    @Test func gradientGoesToTheFirstMaximumOnTies() {
        let x = Tensor.ones([1, 1, 2, 2]).requiringGrad()
        x.maxPool2d(kernel: (2, 2)).sum().backward()
        #expect(x.grad?.scalars == [1, 0, 0, 0])
    }

    @Test func defaultStrideIsTheKernel() {
        let x = Tensor(shape: [1, 1, 2, 4], values: [1, 5, 2, 0, 3, 4, 8, 7])
        #expect(x.maxPool2d(kernel: (2, 2)).scalars == [5, 8])
    }

    @Test func badInputNamesTheShape() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3, 4]).maxPool2d(kernel: (2, 2))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("maxPool2d: needs an input [N, C, H, W], got [2, 3, 4]"), "\(message)")
        }
    }

    @Test func kernelLargerThanInputNamesBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 1, 2, 2]).maxPool2d(kernel: (3, 3))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("maxPool2d: shape mismatch between [1, 1, 2, 2] and [3, 3]"), "\(message)")
        }
    }
}
