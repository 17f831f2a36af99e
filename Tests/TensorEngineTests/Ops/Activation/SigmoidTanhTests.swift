import Foundation
import Testing
import TensorEngine

@Suite struct SigmoidTanhTests {
    @Test(arguments: [[7], [4, 33], [100_003]])
    func valuesMatchFoundation(shape: [Int]) {
        var data = TestData(seed: 51)
        let x = data.normal(shape, std: 4)
        expectClose(x.sigmoid().scalars, x.scalars.map { Float(1 / (1 + Foundation.exp(-Double($0)))) }, tolerance: 3e-7)
        expectClose(x.tanh().scalars, x.scalars.map { Foundation.tanh($0) }, tolerance: 3e-7)
    }

    @Test func gradients() {
        var data = TestData(seed: 52)
        let x = data.normal([5, 9], std: 2)
        expectGradientsMatch([x]) { $0[0].sigmoid() }
        expectGradientsMatch([x]) { $0[0].tanh() }
        expectGradientsMatch([x]) { $0[0].tanh().sigmoid() }
    }
}
