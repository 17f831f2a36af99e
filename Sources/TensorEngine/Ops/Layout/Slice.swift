/// Taking a range of one axis, optionally every `step`-th element: a view when the elements taken
/// are one contiguous block, else a copy.
extension Tensor {
    /// The elements whose index along `axis` lies in `range`, taking every `step`-th one from
    /// `range.lowerBound` (like `x[..., lower:upper:step, ...]`). The axis shrinks to
    /// `⌈range.count / step⌉`; the others are unchanged. The gradient is scattered back into
    /// zeros at the taken positions.
    public func sliced(axis: Int, range: Range<Int>, step: Int = 1) -> Tensor {
        let axis = Shape.normalize(axis: axis, rank: rank, op: "slice")
        guard step >= 1 else { EngineError.fail("slice", "step must be at least 1, got \(step)") }
        guard range.lowerBound >= 0, range.upperBound <= shape[axis] else {
            EngineError.fail("slice", "range \(range) is out of bounds for axis \(axis) of a tensor of shape \(Shape.describe(shape))")
        }
        var outShape = shape
        outShape[axis] = (range.count + step - 1) / step
        var sourceStrides = Shape.strides(shape)
        let origin = range.lowerBound * sourceStrides[axis]
        sourceStrides[axis] *= step
        let outStrides = Shape.strides(outShape)
        let out: Tensor
        if step == 1 && shape[..<axis].allSatisfy({ $0 == 1 }) {
            // One contiguous block (a piece of the leading axis, e.g. q/k/v split off a [3, …]
            // tensor): share the storage instead of copying, as a reshape does.
            out = Tensor(shape: outShape, storage: storage, offset: storageOffset + origin)
        } else {
            out = Tensor(uninitializedShape: outShape)
            StridedCopyPlan(extent: outShape, sourceStrides: sourceStrides, destinationStrides: outStrides)
                .run(from: data + origin, to: out.data)
        }
        if Tape.needsRecording(self) {
            let slot = gradientSlot
            Tape.record(out) { g in
                slot.accumulateGradInPlace { gradient in
                    StridedCopyPlan(extent: outShape, sourceStrides: outStrides, destinationStrides: sourceStrides)
                        .run(from: g.data, to: gradient + origin, accumulating: true)
                }
            }
        }
        return out
    }
}
