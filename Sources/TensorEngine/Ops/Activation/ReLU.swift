extension Tensor {
    /// max(x, 0) element-wise, any shape. NaN stays NaN. The gradient is 1 where x > 0 and 0
    /// elsewhere (0 at x = 0, as in PyTorch).
    public func relu() -> Tensor {
        let out = vectorMapElements(self) { x in x.replacing(with: 0, where: x .< 0) }
        if Tape.needsRecording(self) {
            Tape.record(out) { g in
                self.accumulateGrad(owned: vectorZipElements(self, g) { x, g in
                    SIMD8(repeating: 0).replacing(with: g, where: x .> 0)
                })
            }
        }
        return out
    }
}
