extension Tensor {
    /// The exact Gaussian error linear unit x·Φ(x) = ½x(1 + erf(x/√2)) element-wise, any shape:
    /// PyTorch's default `nn.GELU()` (not the tanh approximation). Used by the transformer MLPs
    /// on `[B, L, 4C]`, where it is memory-bound, so forward and backward are one vectorised
    /// pass each over the input.
    public func gelu() -> Tensor {
        let out = vectorMapElements(self) { x in x * VectorMath.normalCDF(x) }
        if Tape.needsRecording(self) {
            Tape.record(out) { g in self.accumulateGrad(owned: geluBackward(input: self, gradient: g)) }
        }
        return out
    }
}

/// The input gradient of GELU, g·(Φ(x) + x·φ(x)), computed from x and g in one pass.
func geluBackward(input: Tensor, gradient: Tensor) -> Tensor {
    vectorZipElements(input, gradient) { x, g in
        // φ(x) = e^{−x²/2}/√(2π)
        let density = VectorMath.exp(-0.5 * x * x) * 0.398_942_280_401_432_678
        return g * VectorMath.normalCDF(x).addingProduct(x, density)
    }
}
