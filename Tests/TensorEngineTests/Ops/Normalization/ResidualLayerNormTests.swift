import Testing
@testable import TensorEngine

/// `x.addingLayerNorm(of: y, …)` — a post-norm residual step with drop path — against the ops it
/// replaces, `x + y.layerNorm(…).dropPath(…)`: the same values bit for bit, the same gradients of
/// `x`, `y`, weight and bias (also when `x` and `y` already hold gradients, as residual streams
/// do), finite differences, and the same random draws as `dropPath`.
@Suite struct ResidualLayerNormTests {
    struct Inputs {
        let x: Tensor, y: Tensor, weight: Tensor, bias: Tensor
        var all: [Tensor] { [x, y, weight, bias] }

        init(_ shape: [Int], seed: UInt64) {
            var data = TestData(seed: seed)
            let c = shape.last!
            x = data.normal(shape)
            y = data.normal(shape, std: 2) + 1
            weight = data.normal([c])
            bias = data.normal([c])
        }
    }

    static let shapes: [[Int]] = [[2, 3, 4, 96], [3, 5, 12], [4, 1000], [2, 7, 1]]

    static func composed(_ t: [Tensor], scales: [Float]?) -> Tensor {
        var normalized = t[1].layerNorm(weight: t[2], bias: t[3])
        if let scales {
            normalized = normalized * Tensor(shape: [scales.count] + [Int](repeating: 1, count: t[1].rank - 1), values: scales)
        }
        return t[0] + normalized
    }

    static func fused(_ t: [Tensor], scales: [Float]?) -> Tensor {
        t[0].addingLayerNorm(of: t[1], weight: t[2], bias: t[3], sampleScales: scales)
    }

    /// Drop-path factors for the first axis: one sample dropped, the others scaled up.
    static func scales(_ shape: [Int]) -> [Float] {
        (0..<shape[0]).map { $0 == 1 ? 0 : 1 / 0.8 }
    }

    @Test(arguments: shapes)
    func valuesEqualTheComposedOps(_ shape: [Int]) {
        let inputs = Inputs(shape, seed: UInt64(shape.reduce(1, *)))
        for scales in [nil, Self.scales(shape)] {
            let fused = Tape.withoutRecording { Self.fused(inputs.all, scales: scales) }
            let composed = Tape.withoutRecording { Self.composed(inputs.all, scales: scales) }
            #expect(fused.shape == shape)
            #expect(fused.scalars == composed.scalars)
        }
    }

    @Test(arguments: shapes)
    func gradientsMatchTheComposedOps(_ shape: [Int]) {
        let inputs = Inputs(shape, seed: UInt64(3 * shape.reduce(1, *)))
        var data = TestData(seed: 12)
        let upstream = data.normal(shape)
        for scales in [nil, Self.scales(shape)] {
            func gradients(_ function: ([Tensor], [Float]?) -> Tensor) -> [[Float]] {
                for t in inputs.all { t.requiringGrad(); t.zeroGrad() }
                function(inputs.all, scales).backward(gradient: upstream)
                let result = inputs.all.map { $0.grad!.scalars }
                for t in inputs.all { t.zeroGrad() }
                return result
            }
            let fused = gradients(Self.fused), composed = gradients(Self.composed)
            for (actual, expected) in zip(fused, composed) { expectClose(actual, expected, tolerance: 1e-5) }
        }
    }

    /// Inside a block, both inputs are residual streams whose gradients other ops have already
    /// started: the op adds into them rather than replacing them.
    @Test func addsIntoGradientsAlreadyThere() {
        let inputs = Inputs([2, 6, 16], seed: 21)
        func run(_ function: ([Tensor], [Float]?) -> Tensor) -> [[Float]] {
            let leaves = inputs.all.map { $0.copy().requiringGrad() }
            // x and y as intermediate results that feed two consumers each.
            let x = leaves[0] * 1.5, y = leaves[1] * 0.5
            let out = function([x, y, leaves[2], leaves[3]], Self.scales([2]))
            (out.sum() + (x * y).sum()).backward()
            return leaves.map { $0.grad!.scalars }
        }
        let fused = run(Self.fused), composed = run(Self.composed)
        for (actual, expected) in zip(fused, composed) { expectClose(actual, expected, tolerance: 1e-5) }
    }

    @Test func gradientsMatchFiniteDifferences() {
        let inputs = Inputs([3, 4, 10], seed: 31)
        expectGradientsMatch(inputs.all) { Self.fused($0, scales: [1.25, 0, 1.25]) }
        expectGradientsMatch(inputs.all) { Self.fused($0, scales: nil) }
    }

    /// `dropPathScales` draws what `dropPath` draws, so a model using the fused op keeps its
    /// random stream (and a seeded run its trajectory).
    @Test func scalesAreTheDropPathDraws() {
        let ones = Tensor.ones([6, 3])
        var first = RandomGenerator(seed: 40), second = RandomGenerator(seed: 40)
        let dropped = ones.dropPath(probability: 0.4, training: true, using: &first)
        let scales = Tensor.dropPathScales(samples: 6, probability: 0.4, using: &second)
        #expect(first == second)
        for sample in 0..<6 { #expect(dropped.scalars[sample * 3] == scales[sample]) }
    }

    @Test func mismatchedShapesAreRefused() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 4]).addingLayerNorm(of: Tensor.zeros([2, 5]), weight: nil, bias: nil)
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("addingLayerNorm: shape mismatch between [2, 4] and [2, 5]"), "\(message)")
        }
    }
}
