import Testing
import TensorEngine

@Suite struct RegressionLossesTests {
    @Test(arguments: [[1], [3, 7], [100_003]])
    func valuesMatchNaiveMeans(shape: [Int]) {
        var data = TestData(seed: 101)
        let prediction = data.normal(shape), target = data.normal(shape)
        let differences = zip(prediction.scalars, target.scalars).map { Double($0) - Double($1) }
        let l1 = differences.map { Swift.abs($0) }.reduce(0, +) / Double(differences.count)
        let mse = differences.map { $0 * $0 }.reduce(0, +) / Double(differences.count)
        #expect(Swift.abs(Double(Tensor.l1Loss(prediction, target: target).item) - l1) < 1e-6 * max(1, l1))
        #expect(Swift.abs(Double(Tensor.mseLoss(prediction, target: target).item) - mse) < 1e-6 * max(1, mse))
        #expect(Tensor.l1Loss(Tensor(shape: [2], values: [1, -2]), target: Tensor(shape: [2], values: [0, 2])).item == 2.5)
        #expect(Tensor.mseLoss(Tensor(shape: [2], values: [1, -2]), target: Tensor(shape: [2], values: [0, 2])).item == 8.5)
    }

    @Test func gradients() {
        var data = TestData(seed: 102)
        let prediction = data.normal([4, 9]), target = data.normal([4, 9])
        for i in 0..<prediction.count where Swift.abs(prediction.data[i] - target.data[i]) < 0.05 { prediction.data[i] += 0.2 }
        expectGradientsMatch([prediction, target]) { Tensor.l1Loss($0[0], target: $0[1]) }
        expectGradientsMatch([prediction, target]) { Tensor.mseLoss($0[0], target: $0[1]) }
        // Only the prediction differentiable, as in training.
        let p = prediction.copy().requiringGrad()
        Tensor.mseLoss(p, target: target).backward()
        expectClose(p.grad?.scalars ?? [], zip(p.scalars, target.scalars).map { 2 * ($0 - $1) / 36 }, tolerance: 1e-7)
        let equal = Tensor(shape: [2], values: [1, 3]).requiringGrad()
        Tensor.l1Loss(equal, target: Tensor(shape: [2], values: [1, 2])).backward()
        #expect(equal.grad?.scalars == [0, 0.5])
    }

    @Test func mismatchNamesBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.l1Loss(Tensor.zeros([2, 3]), target: Tensor.zeros([3, 2]))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("l1Loss: shape mismatch between [2, 3] and [3, 2]"), "\(message)")
        }
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.mseLoss(Tensor.zeros([4]), target: Tensor.zeros([4, 1]))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("mseLoss: shape mismatch between [4] and [4, 1]"), "\(message)")
        }
    }
}
