/// Materialising a broadcast (a copy), as `torch.expand(...).contiguous()`.
extension Tensor {
    /// The tensor repeated along axes where it has size 1, and along new leading axes, to fill
    /// `shape` (NumPy broadcasting rules), e.g. a bias `[C]` to `[B, L, C]`. The gradient is
    /// summed back down to this tensor's shape.
    public func broadcasted(to targetShape: [Int]) -> Tensor {
        let lead = targetShape.count - rank
        guard lead >= 0, (0..<rank).allSatisfy({ shape[$0] == 1 || shape[$0] == targetShape[lead + $0] }),
              targetShape.allSatisfy({ $0 >= 0 }) else {
            EngineError.shapeMismatch("broadcast", shape, targetShape,
                                      "every axis must match the target or be 1, and the target may only add leading axes")
        }
        if targetShape == shape { return self }
        let out = Tensor(uninitializedShape: targetShape)
        StridedCopyPlan(extent: targetShape, sourceStrides: Shape.broadcastStrides(shape, to: targetShape),
                        destinationStrides: Shape.strides(targetShape))
            .run(from: data, to: out.data)
        if Tape.needsRecording(self) {
            let slot = gradientSlot
            Tape.record(out) { g in slot.accumulateBroadcastGrad(g) }
        }
        return out
    }

    /// Like ``broadcasted(to:)``, where `-1` keeps the size of the matching existing axis
    /// (`torch.expand`), e.g. `[1, H, 1].expanded([B, -1, W])`.
    public func expanded(_ sizes: [Int]) -> Tensor {
        let lead = sizes.count - rank
        guard lead >= 0 else {
            EngineError.shapeMismatch("expand", shape, sizes, "the target has fewer axes than the tensor")
        }
        let target = sizes.enumerated().map { k, size in
            if size != -1 { return size }
            guard k >= lead else { EngineError.shapeMismatch("expand", shape, sizes, "a new leading axis cannot be -1") }
            return shape[k - lead]
        }
        return broadcasted(to: target)
    }
}
