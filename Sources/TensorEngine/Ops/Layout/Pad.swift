/// Surrounding a tensor with a constant border (a copy).
extension Tensor {
    /// The tensor with `padding[k].before` elements of `value` added in front of and
    /// `padding[k].after` behind each padded axis. `padding` has one pair per axis, or fewer: then
    /// it pads the last `padding.count` axes (in axis order, e.g. `[(0, 1), (0, 1)]` on `[B, H, W]`
    /// pads H and W at their ends, as SwinV2 does for sizes not divisible by the window).
    /// The gradient is the upstream gradient cropped back to the original box.
    public func padded(_ padding: [(before: Int, after: Int)], value: Float = 0) -> Tensor {
        guard padding.count <= rank, padding.allSatisfy({ $0.before >= 0 && $0.after >= 0 }) else {
            EngineError.shapeMismatch("pad", shape, padding.flatMap { [$0.before, $0.after] },
                                      "needs at most one non-negative (before, after) pair per axis")
        }
        let lead = rank - padding.count
        var before = [Int](repeating: 0, count: rank)
        var outShape = shape
        for (k, pair) in padding.enumerated() {
            before[lead + k] = pair.before
            outShape[lead + k] += pair.before + pair.after
        }
        let out = Tensor(uninitializedShape: outShape)
        let outStrides = Shape.strides(outShape)
        let origin = zip(before, outStrides).reduce(0) { $0 + $1.0 * $1.1 }
        let destination = out.data
        let n = out.count
        if outShape != shape {
            parallelFor(n, grain: 1 << 16) { range in
                (destination + range.lowerBound).update(repeating: value, count: range.count)
            }
        }
        StridedCopyPlan(extent: shape, destinationStrides: outStrides).run(from: data, to: destination + origin)
        if Tape.needsRecording(self) {
            let inputShape = shape
            let slot = gradientSlot
            Tape.record(out) { g in
                let cropped = Tensor(uninitializedShape: inputShape)
                StridedCopyPlan(extent: inputShape, sourceStrides: outStrides, destinationStrides: Shape.strides(inputShape))
                    .run(from: g.data + origin, to: cropped.data)
                slot.accumulateGrad(owned: cropped)
            }
        }
        return out
    }
}
