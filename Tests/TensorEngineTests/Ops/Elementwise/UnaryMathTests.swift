import Foundation
import Testing
import TensorEngine

@Suite struct UnaryMathTests {
    /// Odd sizes exercise the partial last vector; the large one the parallel split.
    static let sizes = [[1], [37], [3, 5, 7], [100_003]]

    @Test(arguments: sizes)
    func valuesMatchFoundation(shape: [Int]) {
        var data = TestData(seed: 11)
        let x = data.normal(shape, std: 3)
        let positive = data.uniform(shape, 1e-3, 50)
        expectClose(x.exp().scalars, x.scalars.map { Foundation.exp($0) }, tolerance: 3e-7)
        expectClose(positive.log().scalars, positive.scalars.map { Foundation.log($0) }, tolerance: 3e-7)
        expectClose(positive.sqrt().scalars, positive.scalars.map { $0.squareRoot() }, tolerance: 1e-7)
        expectClose(x.abs().scalars, x.scalars.map { Swift.abs($0) }, tolerance: 0)
        for exponent: Float in [0, 1, 2, 0.5, -1, 3, -2, 1.7, -0.3] {
            expectClose(positive.pow(exponent).scalars, positive.scalars.map { Foundation.pow($0, exponent) }, tolerance: 3e-6)
        }
    }

    @Test func powFollowsPyTorchOnNegativeBasesAndZero() {
        let x = Tensor(shape: [6], values: [-2, -0.5, 0, 2, -3, 0])
        #expect(x.pow(3).scalars == [-8, -0.125, 0, 8, -27, 0])
        expectClose(x.pow(4).scalars, [16, 0.0625, 0, 16, 81, 0], tolerance: 1e-6)
        expectClose(x.pow(-3).scalars.enumerated().filter { $0.offset != 2 && $0.offset != 5 }.map(\.element),
                    [-0.125, -8, 0.125, -1 / 27], tolerance: 1e-6)
        #expect(x.pow(-3).scalars[2] == .infinity)
        let fractional = x.pow(1.5).scalars
        #expect(fractional[0].isNaN && fractional[1].isNaN && fractional[4].isNaN)
        #expect(fractional[2] == 0 && abs(fractional[3] - Foundation.pow(2, 1.5)) < 1e-5)
        #expect(x.pow(0).scalars == [1, 1, 1, 1, 1, 1])
        #expect(x.log().scalars[2] == -.infinity && x.log().scalars[0].isNaN)
    }

    @Test func gradients() {
        var data = TestData(seed: 12)
        let x = data.normal([3, 7])
        let positive = data.uniform([3, 7], 0.5, 3)
        expectGradientsMatch([x]) { $0[0].exp() }
        expectGradientsMatch([positive]) { $0[0].log() }
        expectGradientsMatch([positive]) { $0[0].sqrt() }
        for exponent: Float in [2, 0.5, -1, 3, 1.7, -0.3] {
            expectGradientsMatch([positive]) { $0[0].pow(exponent) }
        }
        let awayFromZero = data.awayFromZero([3, 7])
        expectGradientsMatch([awayFromZero]) { $0[0].pow(3) }
        expectGradientsMatch([awayFromZero]) { $0[0].abs() }
        // Chained, so that a backward reads a gradient that is not all ones.
        expectGradientsMatch([positive]) { ($0[0].log() * $0[0]).sqrt().exp() }
    }

    @Test func absGradientIsZeroAtZero() {
        let x = Tensor(shape: [3], values: [-1, 0, 2]).requiringGrad()
        x.abs().sum().backward()
        #expect(x.grad?.scalars == [-1, 0, 1])
    }
}
