import Foundation
import Testing
import TensorEngine

@Suite struct GELUTests {
    /// ½x(1 + erf(x/√2)) and its derivative in double precision.
    static func reference(_ x: Float) -> (value: Float, derivative: Float) {
        let v = Double(x)
        let cdf = 0.5 * (1 + Foundation.erf(v / 2.0.squareRoot()))
        let density = Foundation.exp(-v * v / 2) / (2 * Double.pi).squareRoot()
        return (Float(v * cdf), Float(cdf + v * density))
    }

    @Test(arguments: [[7], [4, 33], [100_003]])
    func valuesMatchExactErfForm(shape: [Int]) {
        var data = TestData(seed: 41)
        let x = data.normal(shape, std: 3)
        expectClose(x.gelu().scalars, x.scalars.map { Self.reference($0).value }, tolerance: 1e-6)
    }

    @Test func backwardMatchesAnalyticDerivative() {
        let x = Tensor(shape: [1601], values: (0..<1601).map { Float($0 - 800) / 80 }).requiringGrad()
        var data = TestData(seed: 42)
        let upstream = data.normal([1601])
        x.gelu().backward(gradient: upstream)
        let expected = zip(x.scalars, upstream.scalars).map { Self.reference($0).derivative * $1 }
        expectClose(x.grad?.scalars ?? [], expected, tolerance: 1e-6)
    }

    @Test func gradientCheck() {
        var data = TestData(seed: 43)
        expectGradientsMatch([data.normal([3, 11], std: 2)]) { $0[0].gelu() }
    }

    @Test func matchesPyTorch() throws {
        let golden = try GoldenFixture.load("gelu")
        expectMatchesGolden(try #require(golden.cases["exact"]), inputs: ["x"], tolerance: 1e-6) { $0[0].gelu() }
    }
}
