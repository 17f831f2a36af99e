/// The saturating activations. Both backward passes work from the saved output, which is all the
/// derivative needs.
extension Tensor {
    /// The logistic function 1/(1 + e⁻ˣ) element-wise, any shape.
    public func sigmoid() -> Tensor {
        let out = vectorMapElements(self) { VectorMath.sigmoid($0) }
        if Tape.needsRecording(self) {
            // σ' = σ(1 − σ)
            Tape.record(out) { g in self.accumulateGrad(owned: vectorZipElements(out, g) { y, g in g * y * (1 - y) }) }
        }
        return out
    }

    /// The hyperbolic tangent element-wise, any shape.
    public func tanh() -> Tensor {
        let out = vectorMapElements(self) { VectorMath.tanh($0) }
        if Tape.needsRecording(self) {
            // tanh' = 1 − tanh²
            Tape.record(out) { g in self.accumulateGrad(owned: vectorZipElements(out, g) { y, g in g * (1 - y * y) }) }
        }
        return out
    }
}
