extension Tensor {
    /// The transformer feed-forward block `gelu(x·W₁ᵀ + b₁)·W₂ᵀ + b₂` (exact GELU): `x`
    /// `[..., in]`, `hiddenWeight` `[hidden, in]`, `outputWeight` `[out, hidden]` (PyTorch's
    /// layouts), biases `[hidden]` and `[out]` → `[..., out]`. The values and gradients of
    /// `x.linear(W₁, b₁).gelu().linear(W₂, b₂)` (to an ulp or so: on AVX-512 the activation's
    /// rational divides through a refined reciprocal), with the activation moved into the
    /// products: the first stores `gelu(z)` (and, when training, `z`) while its results are in
    /// L1, and the backward product `g·W₂` stores GELU's input gradient `(g·W₂) ⊙ GELU′(z)`
    /// directly. On `[B·L, 4C]` hidden activations that saves GELU's own pass forward (read `z`,
    /// write `gelu(z)`) and backward (write and re-read the output gradient); where the products
    /// run elsewhere than the register-blocked kernel the activation still takes one pass after them.
    public func geluFeedForward(hiddenWeight: Tensor, hiddenBias: Tensor?, outputWeight: Tensor, outputBias: Tensor?) -> Tensor {
        let op = "geluFeedForward"
        guard rank >= 1, hiddenWeight.rank == 2, shape[rank - 1] == hiddenWeight.shape[1] else {
            EngineError.shapeMismatch(op, shape, hiddenWeight.shape, "input features must equal hiddenWeight.shape[1]")
        }
        let hidden = hiddenWeight.shape[0], inFeatures = hiddenWeight.shape[1]
        guard outputWeight.rank == 2, outputWeight.shape[1] == hidden else {
            EngineError.shapeMismatch(op, hiddenWeight.shape, outputWeight.shape, "outputWeight.shape[1] must equal hiddenWeight.shape[0]")
        }
        let outFeatures = outputWeight.shape[0]
        if let hiddenBias, hiddenBias.shape != [hidden] {
            EngineError.shapeMismatch(op, hiddenWeight.shape, hiddenBias.shape, "hiddenBias must be [\(hidden)]")
        }
        if let outputBias, outputBias.shape != [outFeatures] {
            EngineError.shapeMismatch(op, outputWeight.shape, outputBias.shape, "outputBias must be [\(outFeatures)]")
        }
        let rows = count / max(inFeatures, 1)
        let lead = Array(shape.dropLast())
        let recording = Tape.needsRecording([self, hiddenWeight, outputWeight] + [hiddenBias, outputBias].compactMap { $0 })
        // z = x·W₁ᵀ + b₁ is kept only for the backward pass.
        let preActivation = recording ? Tensor(uninitializedShape: lead + [hidden]) : nil
        let activation = Tensor(uninitializedShape: lead + [hidden])
        Gemm.multiply(transposeA: false, transposeB: true, m: rows, n: hidden, k: inFeatures,
                      a: data, lda: inFeatures, b: hiddenWeight.data, ldb: inFeatures,
                      c: activation.data, ldc: hidden, rowBias: hiddenBias.map { UnsafePointer($0.data) },
                      activation: .gelu(preActivation: preActivation?.data))
        let out = Tensor(uninitializedShape: lead + [outFeatures])
        Gemm.multiply(transposeA: false, transposeB: true, m: rows, n: outFeatures, k: hidden,
                      a: activation.data, lda: hidden, b: outputWeight.data, ldb: hidden,
                      c: out.data, ldc: outFeatures, rowBias: outputBias.map { UnsafePointer($0.data) })
        if recording, let preActivation {
            Tape.record(out) { g in
                Tensor.accumulateLinearParameterGradients(g, input: activation, weight: outputWeight, bias: outputBias)
                guard self.requiresGrad || hiddenWeight.requiresGrad || (hiddenBias?.requiresGrad ?? false) else { return }
                // GELU's input gradient (g·W₂) ⊙ GELU′(z), straight from the product.
                let gradPreActivation = Tensor(uninitializedShape: lead + [hidden])
                Gemm.multiply(transposeA: false, transposeB: false, m: rows, n: hidden, k: outFeatures,
                              a: g.data, lda: outFeatures, b: outputWeight.data, ldb: hidden,
                              c: gradPreActivation.data, ldc: hidden,
                              activation: .geluDerivative(preActivation: preActivation.data))
                if self.requiresGrad { self.accumulateLinearInputGradient(gradPreActivation, weight: hiddenWeight) }
                Tensor.accumulateLinearParameterGradients(gradPreActivation, input: self, weight: hiddenWeight, bias: hiddenBias)
            }
        }
        return out
    }
}
