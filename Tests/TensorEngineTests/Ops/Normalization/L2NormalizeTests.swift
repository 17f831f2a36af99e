import Testing
import TensorEngine

@Suite struct L2NormalizeTests {
    /// x / max(‖x‖, ε) per row, in double precision.
    static func reference(_ x: [Float], width: Int, epsilon: Double) -> [Float] {
        var out = [Float]()
        for start in stride(from: 0, to: x.count, by: width) {
            let row = x[start..<start + width].map(Double.init)
            let norm = row.map { $0 * $0 }.reduce(0, +).squareRoot()
            out += row.map { Float($0 / max(norm, epsilon)) }
        }
        return out
    }

    @Test(arguments: [[3, 1], [2, 5], [4, 2, 32], [3, 1000]])
    func valuesMatchReference(shape: [Int]) {
        var data = TestData(seed: 71)
        let x = data.normal(shape)
        expectClose(x.l2Normalized().scalars, Self.reference(x.scalars, width: shape.last!, epsilon: 1e-12), tolerance: 3e-7)
    }

    @Test func tinyRowsAreDividedByEpsilon() {
        let x = Tensor(shape: [2, 2], values: [0, 0, 3e-4, 4e-4])
        expectClose(x.l2Normalized(epsilon: 1e-3).scalars, [0, 0, 0.3, 0.4], tolerance: 1e-6)
        // Below ε the gradient is simply g/ε.
        x.requiringGrad()
        x.l2Normalized(epsilon: 1e-3).sum().backward()
        expectClose(x.grad?.scalars ?? [], [1000, 1000, 1000, 1000], tolerance: 1e-5)
    }

    @Test(arguments: [[3, 1], [2, 5], [2, 3, 16], [2, 19]])
    func gradients(shape: [Int]) {
        var data = TestData(seed: 72)
        let x = data.normal(shape)
        expectGradientsMatch([x], epsilon: 1e-3) { $0[0].l2Normalized() }
        // Cosine similarity of normalised rows, as SwinV2's attention uses it.
        let y = data.normal(shape)
        expectGradientsMatch([x, y], epsilon: 1e-3) { ($0[0].l2Normalized() * $0[1].l2Normalized(axis: -1)) }
    }

    @Test func onlyTheLastAxis() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3, 4]).l2Normalized(axis: 1)
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("l2Normalized: works along the last axis only; axis 1 of [2, 3, 4]"), "\(message)")
        }
    }
}
