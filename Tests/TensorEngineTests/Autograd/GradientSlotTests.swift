import Testing
@testable import TensorEngine

/// The tape and gradient-routing ops hold gradient slots, not tensors: an activation whose values
/// no backward closure reads is released during the forward pass, and gradients still arrive.
@Suite struct GradientSlotTests {
    /// A residual stream (a non-leaf that already holds the residual's gradient) receives a linear
    /// layer's and a layer norm's input gradients added in place; the sums must be those of the
    /// separate path (here checked against finite differences).
    @Test func residualGradientsAddIntoTheStream() {
        var data = TestData(seed: 61)
        let x = data.normal([6, 16]), w = data.normal([16, 16]), gamma = data.normal([16]), beta = data.normal([16])
        expectGradientsMatch([x, w, gamma, beta]) { inputs in
            let stream = inputs[0] * 1.5
            let afterLinear = stream + stream.linear(weight: inputs[1])
            return afterLinear + afterLinear.layerNorm(weight: inputs[2], bias: inputs[3]).gelu()
        }
    }

    @Test func routedActivationsAreReleasedBeforeBackward() {
        var data = TestData(seed: 21)
        let x = data.normal([4, 6]).requiringGrad()
        weak var scaledStorage: TensorStorage?
        weak var permutedStorage: TensorStorage?
        let loss: Tensor
        do {
            // Scalar multiply, permute, reshape, pad, slice, add, roll: none reads its input's values.
            let scaled = x * 3
            let permuted = scaled.permuted([1, 0])
            scaledStorage = scaled.storage
            permutedStorage = permuted.storage
            let rolled = (permuted.reshaped([6, 4]).padded([(1, 0), (0, 2)]).sliced(axis: 0, range: 1..<7) + 1)
                .rolled(shifts: [2], axes: [0])
            loss = (rolled * rolled).sum()
        }
        #expect(scaledStorage == nil)
        #expect(permutedStorage == nil)
        loss.backward()
        // d/dx Σ (3x + 1)² over the kept (unpadded) entries = 6 · (3x + 1).
        let expected = x.scalars.map { 6 * (3 * $0 + 1) }
        expectClose(x.grad!.scalars, expected, tolerance: 1e-5)
    }

    @Test func valuesAnOpNeedsStayAlive() {
        var data = TestData(seed: 22)
        let x = data.normal([3, 5]).requiringGrad()
        weak var hiddenStorage: TensorStorage?
        let loss: Tensor
        do {
            let hidden = x * 2
            hiddenStorage = hidden.storage
            loss = hidden.gelu().sum()   // GELU's backward reads its input
        }
        #expect(hiddenStorage != nil)
        loss.backward()
        #expect(hiddenStorage == nil)    // released with the tape
        #expect(x.grad != nil)
    }
}
