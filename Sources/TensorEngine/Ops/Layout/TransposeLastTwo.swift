/// Swapping the last two axes (a copy), the common case of a transpose.
extension Tensor {
    /// `[..., M, N] → [..., N, M]`, copied into new storage.
    public func transposedLastTwo() -> Tensor {
        guard rank >= 2 else { EngineError.fail("transpose", "needs at least 2 axes, got \(Shape.describe(shape))") }
        let m = shape[rank - 2], n = shape[rank - 1]
        let batch = count / max(m * n, 1)
        let out = Tensor(uninitializedShape: Array(shape.dropLast(2)) + [n, m])
        let source = data, destination = out.data
        parallelFor(batch * m, grain: max(1, 4096 / max(n, 1))) { rows in
            for row in rows {
                let b = row / m, i = row % m
                let src = source + b * m * n + i * n
                let dst = destination + b * m * n + i
                for j in 0..<n { dst[j * m] = src[j] }
            }
        }
        if Tape.needsRecording(self) {
            let slot = gradientSlot
            Tape.record(out) { g in slot.accumulateGrad(owned: g.transposedLastTwo()) }
        }
        return out
    }
}
