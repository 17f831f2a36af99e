import Testing
import TensorEngine

@Suite struct AdaptiveAvgPool2dTests {
    /// Naive adaptive average pooling with torch's bins.
    static func reference(_ x: Tensor, _ out: (Int, Int)) -> [Float] {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let xs = x.scalars
        var result: [Float] = []
        for plane in 0..<(n * c) { for i in 0..<out.0 { for j in 0..<out.1 {
            let y0 = Int((Double(i * h) / Double(out.0)).rounded(.down)), y1 = Int((Double((i + 1) * h) / Double(out.0)).rounded(.up))
            let x0 = Int((Double(j * w) / Double(out.1)).rounded(.down)), x1 = Int((Double((j + 1) * w) / Double(out.1)).rounded(.up))
            var total = 0.0
            for y in y0..<y1 { for x in x0..<x1 { total += Double(xs[(plane * h + y) * w + x]) } }
            result.append(Float(total / Double((y1 - y0) * (x1 - x0))))
        } } }
        return result
    }

    static let cases: [(shape: [Int], output: (Int, Int))] = [
        ([2, 3, 7, 7], (1, 1)),     // global average pooling
        ([1, 2, 10, 7], (3, 4)),    // bins that overlap, non-square
        ([2, 2, 5, 6], (5, 6)),     // identity
        ([1, 2, 3, 2], (5, 4)),     // upsampling bins
        ([1, 1, 9, 40], (2, 3)),    // wide rows (vector path)
    ]

    @Test(arguments: cases.indices)
    func valuesMatchNaiveReference(_ index: Int) {
        let c = Self.cases[index]
        var data = TestData(seed: 44)
        let x = data.normal(c.shape)
        let y = x.adaptiveAvgPool2d(outputSize: c.output)
        #expect(y.shape == [c.shape[0], c.shape[1], c.output.0, c.output.1])
        expectClose(y.scalars, Self.reference(x, c.output), tolerance: 1e-6)
    }

    @Test(arguments: cases.indices)
    func gradients(_ index: Int) {
        let c = Self.cases[index]
        var data = TestData(seed: 45)
        let x = data.normal(c.shape)
        expectGradientsMatch([x], maxElementsPerInput: 200) { $0[0].adaptiveAvgPool2d(outputSize: c.output) }
    }

    @Test func badOutputSizeNamesBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 2, 4, 4]).adaptiveAvgPool2d(outputSize: (0, 2))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("adaptiveAvgPool2d: shape mismatch between [1, 2, 4, 4] and [0, 2]"), "\(message)")
        }
    }
}
