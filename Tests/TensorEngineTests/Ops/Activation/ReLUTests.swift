import Testing
import TensorEngine

@Suite struct ReLUTests {
    @Test(arguments: [[5], [3, 17], [100_001]])
    func valuesAndGradient(shape: [Int]) {
        var data = TestData(seed: 31)
        let x = data.awayFromZero(shape)
        expectClose(x.relu().scalars, x.scalars.map { Swift.max($0, 0) }, tolerance: 0)
        expectGradientsMatch([x]) { $0[0].relu() }
    }

    @Test func zeroGetsNoGradientAndNaNPropagates() {
        let x = Tensor(shape: [4], values: [-1, 0, 2, .nan]).requiringGrad()
        let y = x.relu()
        #expect(Array(y.scalars.prefix(3)) == [0, 0, 2] && y.scalars[3].isNaN)
        y.sum().backward()
        #expect(x.grad?.scalars == [0, 0, 1, 0])
    }
}
