/// Clamping and element-wise minimum / maximum, with PyTorch's gradient conventions.
extension Tensor {
    /// Every element limited to `[min, max]` (either bound may be absent), like `torch.clamp`:
    /// with `min > max` every element becomes `max`. The gradient passes where
    /// `min ≤ x ≤ max` — at a bound too, as in PyTorch — and is 0 outside.
    public func clamped(min lower: Float? = nil, max upper: Float? = nil) -> Tensor {
        guard lower != nil || upper != nil else {
            EngineError.fail("clamped", "needs at least one of min and max")
        }
        let low = lower ?? -.infinity, high = upper ?? .infinity
        let out = vectorMapElements(self) { x in
            let raised = x.replacing(with: low, where: x .< low)
            return raised.replacing(with: high, where: raised .> high)
        }
        if Tape.needsRecording(self) {
            Tape.record(out) { g in
                self.accumulateGrad(owned: vectorZipElements(self, g) { x, g in
                    SIMD8(repeating: 0).replacing(with: g, where: (x .>= low) .& (x .<= high))
                })
            }
        }
        return out
    }

    /// The element-wise larger of this tensor and `other`, broadcast together. NaN wins. The
    /// gradient goes to the larger side; on ties it is split in half, as in PyTorch.
    public func maximum(_ other: Tensor) -> Tensor {
        let out = broadcastBinary(self, other, op: "maximum") { a, b in (a >= b || a.isNaN) ? a : b }
        if Tape.needsRecording(self, other) {
            Tape.record(out) { g in
                splitGradient(g, self, other, op: "maximum backward") { a, b in a > b ? 1 : (a == b ? 0.5 : 0) }
            }
        }
        return out
    }

    /// The element-wise smaller of this tensor and `other`, broadcast together. NaN wins. The
    /// gradient goes to the smaller side; on ties it is split in half, as in PyTorch.
    public func minimum(_ other: Tensor) -> Tensor {
        let out = broadcastBinary(self, other, op: "minimum") { a, b in (a <= b || a.isNaN) ? a : b }
        if Tape.needsRecording(self, other) {
            Tape.record(out) { g in
                splitGradient(g, self, other, op: "minimum backward") { a, b in a < b ? 1 : (a == b ? 0.5 : 0) }
            }
        }
        return out
    }
}

/// Hands `g` (in the broadcast shape) to `a` with weight `share(a, b)` and to `b` with the rest.
private func splitGradient(_ g: Tensor, _ a: Tensor, _ b: Tensor, op: String, _ share: (Float, Float) -> Float) {
    let shareOfA = broadcastBinary(a, b, op: op, share)
    if a.requiresGrad { a.accumulateFreshBroadcastGrad(vectorZipElements(shareOfA, g) { w, g in w * g }) }
    if b.requiresGrad { b.accumulateFreshBroadcastGrad(vectorZipElements(shareOfA, g) { w, g in (1 - w) * g }) }
}

extension Tensor {
    /// ``accumulateBroadcastGrad(_:)`` for a gradient buffer nobody else holds (stored without a
    /// copy when no reduction is needed).
    func accumulateFreshBroadcastGrad(_ gradient: Tensor) {
        if gradient.shape == shape {
            accumulateGrad(owned: gradient)
        } else {
            accumulateBroadcastGrad(gradient)
        }
    }
}
