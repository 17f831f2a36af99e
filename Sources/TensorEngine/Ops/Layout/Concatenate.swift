/// Joining tensors along an axis, and the inverse: splitting one into consecutive pieces.
extension Tensor {
    /// The tensors laid end to end along `axis` (negative counts from the end): every other
    /// axis must agree, e.g. `[B, L, C1]` and `[B, L, C2]` along `-1` give `[B, L, C1 + C2]`.
    /// Each input receives its own slab of the gradient.
    public static func concatenated(_ tensors: [Tensor], axis: Int) -> Tensor {
        guard let first = tensors.first else { EngineError.fail("concatenate", "needs at least one tensor") }
        let rank = first.rank
        let axis = Shape.normalize(axis: axis, rank: rank, op: "concatenate")
        for t in tensors.dropFirst() {
            guard t.rank == rank, (0..<rank).allSatisfy({ $0 == axis || t.shape[$0] == first.shape[$0] }) else {
                EngineError.shapeMismatch("concatenate", first.shape, t.shape,
                                          "every axis but axis \(axis) must have the same size")
            }
        }
        var outShape = first.shape
        outShape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let out = Tensor(uninitializedShape: outShape)
        let outStrides = Shape.strides(outShape)
        var starts: [Int] = []
        var start = 0
        for t in tensors {
            starts.append(start)
            StridedCopyPlan(extent: t.shape, destinationStrides: outStrides)
                .run(from: t.data, to: out.data + start * outStrides[axis])
            start += t.shape[axis]
        }
        if Tape.needsRecording(tensors) {
            let slots = tensors.map(\.gradientSlot)
            Tape.record(out) { g in
                for (slot, start) in zip(slots, starts) where slot.requiresGrad {
                    let piece = Tensor(uninitializedShape: slot.shape)
                    StridedCopyPlan(extent: slot.shape, sourceStrides: outStrides, destinationStrides: Shape.strides(slot.shape))
                        .run(from: g.data + start * outStrides[axis], to: piece.data)
                    slot.accumulateGrad(owned: piece)
                }
            }
        }
        return out
    }

    /// Consecutive pieces along `axis` of the given sizes, which must add up to the axis
    /// (e.g. a fused `[B, L, 3C]` projection into q, k, v of `[B, L, C]`). Each piece is a copy
    /// and differentiable on its own; a piece that is never used contributes no gradient.
    public func split(sizes: [Int], axis: Int) -> [Tensor] {
        let axis = Shape.normalize(axis: axis, rank: rank, op: "split")
        guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[axis] else {
            EngineError.shapeMismatch("split", shape, sizes,
                                      "the sizes must be non-negative and add up to axis \(axis) (\(shape[axis]))")
        }
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return sliced(axis: axis, range: start..<(start + size))
        }
    }
}
