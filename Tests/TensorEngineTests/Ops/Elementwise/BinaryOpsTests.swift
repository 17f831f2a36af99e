import Testing
import TensorEngine

@Suite struct BinaryOpsTests {
    @Test func broadcastingValues() {
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3], values: [10, 20, 30])
        #expect((a + b).scalars == [11, 22, 33, 14, 25, 36])
        let column = Tensor(shape: [2, 1], values: [2, 4])
        #expect((a / column).scalars == [0.5, 1, 1.5, 1, 1.25, 1.5])
        #expect((a - Tensor(scalar: 1)).scalars == [0, 1, 2, 3, 4, 5])
    }

    @Test func generalBroadcastValues() {
        let a = Tensor(shape: [2, 1, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [1, 2, 1], values: [10, 100])
        #expect((a * b).shape == [2, 2, 3])
        #expect((a * b).scalars == [10, 20, 30, 100, 200, 300, 40, 50, 60, 400, 500, 600])
    }

    @Test(arguments: [([3, 4], [3, 4]), ([3, 4], [4]), ([2, 3, 4], [3, 1]), ([1, 4], [3, 1]), ([3, 4], [])])
    func gradients(lhs: [Int], rhs: [Int]) {
        var data = TestData(seed: 3)
        let a = data.normal(lhs), b = data.uniform(rhs, 0.5, 2)
        expectGradientsMatch([a, b]) { $0[0] + $0[1] }
        expectGradientsMatch([a, b]) { $0[0] - $0[1] }
        expectGradientsMatch([a, b]) { $0[0] * $0[1] }
        expectGradientsMatch([a, b]) { $0[0] / $0[1] }
    }

    @Test func scalarGradients() {
        var data = TestData(seed: 4)
        let x = data.uniform([3, 5], 0.5, 2)
        expectGradientsMatch([x]) { ($0[0] * 3 + 1) - 2 }
        expectGradientsMatch([x]) { 2 / $0[0] - (1 - $0[0]) }
        expectGradientsMatch([x]) { -$0[0] / 4 }
    }

    @Test func gradientsAccumulateAcrossBackwardCalls() {
        let x = Tensor(shape: [2], values: [1, 2]).requiringGrad()
        (x * 3).sum().backward()
        (x * 3).sum().backward()
        #expect(x.grad?.scalars == [6, 6])
    }

    @Test func noRecordingInsideWithoutRecording() {
        let x = Tensor(shape: [2], values: [1, 2]).requiringGrad()
        // The tape is the thread's: a test run on this thread before may have left entries.
        let before = Tape.entryCount
        let y = Tape.withoutRecording { x * 2 }
        #expect(!y.requiresGrad)
        #expect(Tape.entryCount == before)
    }

    @Test func shapeMismatchNamesOpAndShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("add: shape mismatch between [2, 3] and [4]"), "\(message)")
        }
    }
}
