import Foundation

extension Tensor {
    /// The mean over every element of the binary cross-entropy between `sigmoid(logits)` and
    /// `targets` (same shape, values in [0, 1]), as `torch.nn.functional.binary_cross_entropy_with_logits`
    /// with `reduction="mean"`: `max(x, 0) − x·t + log(1 + e^(−|x|))` per element, which never
    /// overflows. Differentiable in `logits`: `(sigmoid(x) − t)/n`.
    public static func binaryCrossEntropyWithLogits(_ logits: Tensor, targets: Tensor) -> Tensor {
        guard targets.shape == logits.shape else {
            EngineError.shapeMismatch("binaryCrossEntropyWithLogits", logits.shape, targets.shape,
                                      "targets must have the logits' shape")
        }
        let count = logits.count
        let x = logits.data, t = targets.data
        var total = 0.0
        for i in 0..<count {
            let v = Double(x[i])
            total += Swift.max(v, 0) - v * Double(t[i]) + Foundation.log1p(Foundation.exp(-Swift.abs(v)))
        }
        let out = Tensor(scalar: Float(total / Double(Swift.max(count, 1))))
        if Tape.needsRecording(logits) {
            Tape.record(out) { g in
                let scale = g.item / Float(Swift.max(count, 1))
                let result = Tensor(uninitializedShape: logits.shape)
                let gx = result.data, x = logits.data, t = targets.data
                for i in 0..<count { gx[i] = (1 / (1 + Foundation.exp(-x[i])) - t[i]) * scale }
                logits.accumulateGrad(owned: result)
            }
        }
        return out
    }
}
