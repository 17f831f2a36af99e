/// Reordering axes (a copy): the general permute and the two-axis transpose built on it.
extension Tensor {
    /// The tensor with its axes reordered: axis `k` of the result is axis `axes[k]` of this one,
    /// e.g. `[B, H/w, w, W/w, w, C].permuted([0, 1, 3, 2, 4, 5])` gathers SwinV2 windows.
    /// Negative axes count from the end. Copies into new storage (the identity permutation
    /// returns this tensor itself). The gradient is permuted back by the inverse permutation.
    public func permuted(_ axes: [Int]) -> Tensor {
        let order = Tensor.validatedPermutation(axes, of: shape)
        if order == Array(0..<rank) { return self }
        let outShape = order.map { shape[$0] }
        let out = Tensor(uninitializedShape: outShape)
        let strides = Shape.strides(shape)
        StridedCopyPlan(extent: outShape, sourceStrides: order.map { strides[$0] },
                        destinationStrides: Shape.strides(outShape))
            .run(from: data, to: out.data)
        if Tape.needsRecording(self) {
            var inverse = [Int](repeating: 0, count: order.count)
            for (k, axis) in order.enumerated() { inverse[axis] = k }
            let slot = gradientSlot
            Tape.record(out) { g in slot.accumulateGrad(owned: g.permuted(inverse)) }
        }
        return out
    }

    /// The tensor with axes `a` and `b` swapped (negative axes count from the end); a copy.
    public func transposed(_ a: Int, _ b: Int) -> Tensor {
        let first = Shape.normalize(axis: a, rank: rank, op: "transpose")
        let second = Shape.normalize(axis: b, rank: rank, op: "transpose")
        var order = Array(0..<rank)
        order.swapAt(first, second)
        return permuted(order)
    }

    /// `axes` normalised to `0..<rank`, or a failure naming the permutation and the shape.
    static func validatedPermutation(_ axes: [Int], of shape: [Int]) -> [Int] {
        let rank = shape.count
        let order = axes.map { $0 < 0 ? $0 + rank : $0 }
        guard axes.count == rank, order.allSatisfy({ $0 >= 0 && $0 < rank }), Set(order).count == rank else {
            EngineError.shapeMismatch("permute", shape, axes,
                                      "the axes must list each of the \(rank) axes of the tensor exactly once")
        }
        return order
    }
}
