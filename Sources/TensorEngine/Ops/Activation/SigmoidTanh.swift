/// The saturating activations. Both backward passes work from the saved output, which is all the
/// derivative needs.
extension Tensor {
    /// The logistic function 1/(1 + e⁻ˣ) element-wise, any shape.
    public func sigmoid() -> Tensor {
        let out = vectorMapElements(self, sigmoidLanes)
        if Tape.needsRecording(self) {
            // σ' = σ(1 − σ)
            Tape.record(out) { g in self.accumulateGrad(owned: vectorZipElements(out, g) { y, g in g * y * (1 - y) }) }
        }
        return out
    }

    /// The hyperbolic tangent element-wise, any shape.
    public func tanh() -> Tensor {
        let out = vectorMapElements(self, tanhLanes)
        if Tape.needsRecording(self) {
            // tanh' = 1 − tanh²
            Tape.record(out) { g in self.accumulateGrad(owned: vectorZipElements(out, g) { y, g in g * (1 - y * y) }) }
        }
        return out
    }
}

// Named always-inline functions rather than closures, so that the vector loops inline them.
@inline(__always) private func sigmoidLanes(_ x: SIMD8<Float>) -> SIMD8<Float> { VectorMath.sigmoid(x) }
@inline(__always) private func tanhLanes(_ x: SIMD8<Float>) -> SIMD8<Float> { VectorMath.tanh(x) }
