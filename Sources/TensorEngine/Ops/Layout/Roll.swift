/// Cyclic shifts along axes (a copy), as `torch.roll`.
extension Tensor {
    /// The tensor shifted cyclically by `shifts[k]` along `axes[k]`: the element at index `i`
    /// moves to `(i + shift) mod size`. Negative shifts move towards the front; an axis listed
    /// twice is shifted by the sum. SwinV2's shifted windows roll `[B, H, W, C]` by `(-s, -s)`
    /// over axes `(1, 2)` and back by `(s, s)`. The gradient is rolled back.
    public func rolled(shifts: [Int], axes: [Int]) -> Tensor {
        guard shifts.count == axes.count else {
            EngineError.shapeMismatch("roll", shifts, axes, "needs one shift per axis")
        }
        var net = [Int](repeating: 0, count: rank)
        for (shift, axis) in zip(shifts, axes) {
            let axis = Shape.normalize(axis: axis, rank: rank, op: "roll")
            net[axis] += shift
        }
        for axis in 0..<rank where shape[axis] > 0 {
            net[axis] = ((net[axis] % shape[axis]) + shape[axis]) % shape[axis]
        }
        if net.allSatisfy({ $0 == 0 }) { return self }
        let out = Tensor(uninitializedShape: shape)
        Tensor.copyRolled(shape: shape, shifts: net, from: data, to: out.data)
        if Tape.needsRecording(self) {
            let inputShape = shape
            let back = net.enumerated().map { axis, shift in (inputShape[axis] - shift) % Swift.max(inputShape[axis], 1) }
            let slot = gradientSlot
            Tape.record(out) { g in
                let gradient = Tensor(uninitializedShape: inputShape)
                Tensor.copyRolled(shape: inputShape, shifts: back, from: g.data, to: gradient.data)
                slot.accumulateGrad(owned: gradient)
            }
        }
        return out
    }

    /// Writes `source` rolled by `shifts` (each in `0..<size`) into `destination`, both contiguous
    /// of `shape`: every shifted axis splits into two segments, so the roll is 2^k box copies.
    static func copyRolled(shape: [Int], shifts: [Int], from source: UnsafePointer<Float>,
                           to destination: UnsafeMutablePointer<Float>) {
        let strides = Shape.strides(shape)
        let rolledAxes = (0..<shape.count).filter { shifts[$0] != 0 }
        for combination in 0..<(1 << rolledAxes.count) {
            var extent = shape, sourceOffset = 0, destinationOffset = 0
            for (bit, axis) in rolledAxes.enumerated() {
                let size = shape[axis], shift = shifts[axis]
                if combination & (1 << bit) == 0 {
                    // Front segment [0, size − shift) lands at [shift, size).
                    extent[axis] = size - shift
                    destinationOffset += shift * strides[axis]
                } else {
                    // Back segment [size − shift, size) wraps to [0, shift).
                    extent[axis] = shift
                    sourceOffset += (size - shift) * strides[axis]
                }
            }
            StridedCopyPlan(extent: extent, sourceStrides: strides, destinationStrides: strides)
                .run(from: source + sourceOffset, to: destination + destinationOffset)
        }
    }
}
