import Testing
@testable import TensorEngine

/// `geluFeedForward` — GELU moved into the products' stores — against the same block composed of
/// `linear`, `gelu` and `linear`: values, and gradients of the input, both weights and both
/// biases. The shapes reach the register-blocked kernel (≥ 64 rows, depth ≤ 256; a hidden width
/// that is not a multiple of the 32-column tile), OpenBLAS with the activation as a pass of its
/// own (depth 300), and too few rows for the kernel.
@Suite struct GELUFeedForwardTests {
    struct Case: CustomStringConvertible, Sendable {
        let rows: Int, inFeatures: Int, hidden: Int, outFeatures: Int
        var description: String { "[\(rows), \(inFeatures)] → \(hidden) → \(outFeatures)" }
    }

    static let cases: [Case] = [
        Case(rows: 96, inFeatures: 24, hidden: 40, outFeatures: 16),
        Case(rows: 130, inFeatures: 64, hidden: 256, outFeatures: 64),
        Case(rows: 72, inFeatures: 300, hidden: 48, outFeatures: 20),
        Case(rows: 10, inFeatures: 12, hidden: 36, outFeatures: 8),
    ]

    struct Block {
        let x: Tensor, hiddenWeight: Tensor, hiddenBias: Tensor, outputWeight: Tensor, outputBias: Tensor
        var all: [Tensor] { [x, hiddenWeight, hiddenBias, outputWeight, outputBias] }

        init(_ c: Case, seed: UInt64) {
            var data = TestData(seed: seed)
            // `[B, L, C]` where the rows split evenly, as in a model; `[rows, C]` otherwise.
            x = data.normal(c.rows % 2 == 0 ? [2, c.rows / 2, c.inFeatures] : [c.rows, c.inFeatures])
            hiddenWeight = data.normal([c.hidden, c.inFeatures], std: 1 / Float(c.inFeatures).squareRoot())
            hiddenBias = data.normal([c.hidden], std: 0.5)
            outputWeight = data.normal([c.outFeatures, c.hidden], std: 1 / Float(c.hidden).squareRoot())
            outputBias = data.normal([c.outFeatures], std: 0.5)
        }

        func fused(_ t: [Tensor]) -> Tensor {
            t[0].geluFeedForward(hiddenWeight: t[1], hiddenBias: t[2], outputWeight: t[3], outputBias: t[4])
        }

        func composed(_ t: [Tensor]) -> Tensor {
            t[0].linear(weight: t[1], bias: t[2]).gelu().linear(weight: t[3], bias: t[4])
        }
    }

    @Test(arguments: cases)
    func valuesMatchTheComposedBlock(_ c: Case) {
        let block = Block(c, seed: UInt64(c.rows + c.hidden))
        let fused = Tape.withoutRecording { block.fused(block.all) }
        let composed = Tape.withoutRecording { block.composed(block.all) }
        #expect(fused.shape == composed.shape)
        expectClose(fused.scalars, composed.scalars, tolerance: 2e-6)
        // Recording (z kept for the backward pass) must not change the values.
        for tensor in block.all { tensor.requiringGrad() }
        let recorded = block.fused(block.all)
        Tape.discard()
        expectClose(recorded.scalars, fused.scalars, tolerance: 0)
    }

    @Test(arguments: cases)
    func gradientsMatchTheComposedBlock(_ c: Case) {
        let block = Block(c, seed: UInt64(3 * c.rows + c.outFeatures))
        var data = TestData(seed: 11)
        let upstream = data.normal(Array(block.x.shape.dropLast()) + [c.outFeatures])
        func gradients(_ function: ([Tensor]) -> Tensor) -> [[Float]] {
            for tensor in block.all { tensor.requiringGrad(); tensor.zeroGrad() }
            function(block.all).backward(gradient: upstream)
            let result = block.all.map { $0.grad!.scalars }
            for tensor in block.all { tensor.zeroGrad() }
            return result
        }
        let fused = gradients(block.fused), composed = gradients(block.composed)
        for (input, (actual, expected)) in zip(["x", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"], zip(fused, composed)) {
            expectClose(actual, expected, tolerance: 2e-5)
            #expect(actual.count == expected.count, "\(input)")
        }
    }

    @Test func gradientsMatchFiniteDifferences() {
        let block = Block(Case(rows: 64, inFeatures: 8, hidden: 40, outFeatures: 6), seed: 5)
        expectGradientsMatch(block.all, block.fused)
    }

    /// Only the input wants a gradient (frozen layers): the input gradient still flows through
    /// GELU's derivative, and no parameter gets one.
    @Test func frozenParametersGetNoGradient() {
        let block = Block(Case(rows: 64, inFeatures: 16, hidden: 32, outFeatures: 8), seed: 9)
        block.x.requiringGrad()
        block.fused(block.all).sum().backward()
        let fusedInput = block.x.grad!.scalars
        block.x.zeroGrad()
        block.composed(block.all).sum().backward()
        expectClose(fusedInput, block.x.grad!.scalars, tolerance: 2e-5)
        #expect(block.hiddenWeight.grad == nil && block.outputWeight.grad == nil && block.hiddenBias.grad == nil)
    }
}
