import Testing
import TensorEngine

@Suite struct AvgPool2dTests {
    static let cases: [(shape: [Int], kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int))] = [
        ([2, 3, 8, 8], (2, 2), (2, 2), (0, 0)),
        ([1, 2, 7, 9], (3, 3), (2, 2), (1, 1)),
        ([2, 2, 6, 11], (3, 2), (1, 3), (1, 1)),
        ([1, 1, 5, 5], (5, 5), (1, 1), (2, 2)),
    ]

    @Test(arguments: cases.indices, [true, false])
    func valuesMatchNaiveReference(_ index: Int, countIncludePad: Bool) {
        let c = Self.cases[index]
        var data = TestData(seed: 42)
        let x = data.normal(c.shape)
        let expected = PoolingReference.pool(x, kernel: c.kernel, stride: c.stride, padding: c.padding) { values, padded in
            values.reduce(0, +) / Float(countIncludePad ? padded : values.count)
        }
        let actual = x.avgPool2d(kernel: c.kernel, stride: c.stride, padding: c.padding, countIncludePad: countIncludePad)
        expectClose(actual.scalars, expected, tolerance: 1e-6)
    }

    @Test(arguments: cases.indices, [true, false])
    func gradients(_ index: Int, countIncludePad: Bool) {
        let c = Self.cases[index]
        var data = TestData(seed: 43)
        let x = data.normal(c.shape)
        expectGradientsMatch([x], maxElementsPerInput: 200) {
            $0[0].avgPool2d(kernel: c.kernel, stride: c.stride, padding: c.padding, countIncludePad: countIncludePad)
        }
    }

    @Test func paddingLargerThanHalfTheKernelFails() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 1, 6, 6]).avgPool2d(kernel: (2, 2), padding: (2, 2))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("avgPool2d: padding (2, 2) must be at most half the kernel (2, 2)"), "\(message)")
        }
    }

    @Test func kernelLargerThanInputNamesBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 1, 2, 9]).avgPool2d(kernel: (3, 3))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("avgPool2d: shape mismatch between [1, 1, 2, 9] and [3, 3]"), "\(message)")
        }
    }
}
