extension Tensor {
    /// The exact Gaussian error linear unit x·Φ(x) = ½x(1 + erf(x/√2)) element-wise, any shape:
    /// PyTorch's default `nn.GELU()` (not the tanh approximation). Used by the transformer MLPs
    /// on `[B, L, 4C]`, where it is memory-bound, so forward and backward are one vectorised
    /// pass each over the input. erf comes from ``VectorMath/erfRational(_:)`` (absolute error
    /// ≤ 4e-7, one division, no exponential), which keeps the forward pass at memory speed.
    public func gelu() -> Tensor {
        let out = vectorMapElements(self, geluLanes)
        if Tape.needsRecording(self) {
            Tape.record(out) { g in self.accumulateGrad(owned: geluBackward(input: self, gradient: g)) }
        }
        return out
    }
}

/// The input gradient of GELU, g·(Φ(x) + x·φ(x)), computed from x and g in one pass.
func geluBackward(input: Tensor, gradient: Tensor) -> Tensor {
    vectorZipElements(input, gradient, geluGradientLanes)
}

// Named always-inline functions rather than closures: the optimiser then inlines these large
// bodies into the vector loops (it leaves big closures as calls).

/// Φ(x) = ½(1 + erf(x/√2)) lane by lane.
@inline(__always)
private func normalCDFLanes(_ x: SIMD8<Float>) -> SIMD8<Float> {
    0.5 + 0.5 * VectorMath.erfRational(x * 0.707_106_781_186_547_524)
}

/// x·Φ(x) lane by lane.
@inline(__always)
private func geluLanes(_ x: SIMD8<Float>) -> SIMD8<Float> {
    x * normalCDFLanes(x)
}

/// g·(Φ(x) + x·φ(x)) lane by lane, φ(x) = e^{−x²/2}/√(2π).
@inline(__always)
private func geluGradientLanes(_ x: SIMD8<Float>, _ g: SIMD8<Float>) -> SIMD8<Float> {
    let density = VectorMath.exp(-0.5 * x * x) * 0.398_942_280_401_432_678
    return g * normalCDFLanes(x).addingProduct(x, density)
}
