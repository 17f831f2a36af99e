extension Tensor {
    /// Sums this tensor down to `target`, the shape it was broadcast from: leading axes that
    /// `target` lacks and axes where `target` has 1 are summed away. Not recorded.
    ///
    /// This is the one place where broadcasting is undone in backward passes.
    public func summedToShape(_ target: [Int]) -> Tensor {
        if target == shape { return self }
        let lead = rank - target.count
        guard lead >= 0 else {
            EngineError.shapeMismatch("summedToShape", shape, target, "target has more axes than the gradient")
        }
        let padded = [Int](repeating: 1, count: lead) + target
        for (have, want) in zip(shape, padded) where want != 1 && want != have {
            EngineError.shapeMismatch("summedToShape", shape, target, "target is not a broadcast source of the gradient")
        }
        let result = Tensor.zeros(target)
        // Walk the gradient once; each element lands at the target index with broadcast axes
        // pinned to 0. Coalesce into (outer, inner) runs for the common cases.
        let targetStrides = Shape.broadcastStrides(target, to: shape)
        let source = data, destination = result.data
        let innerCount = shape.last ?? 1
        let innerStride = targetStrides.last ?? 0
        let outerCount = count / max(innerCount, 1)
        if outerCount == 0 { return result }
        let outerShape = Array(shape.dropLast())
        let outerStrides = Array(targetStrides.dropLast())
        var index = [Int](repeating: 0, count: outerShape.count)
        var destinationOffset = 0
        for outer in 0..<outerCount {
            let row = source + outer * innerCount
            let out = destination + destinationOffset
            if innerStride == 0 {
                var sum: Float = 0
                for j in 0..<innerCount { sum += row[j] }
                out[0] += sum
            } else {
                for j in 0..<innerCount { out[j] += row[j] }
            }
            // Advance the outer multi-index.
            var axis = outerShape.count - 1
            while axis >= 0 {
                index[axis] += 1
                destinationOffset += outerStrides[axis]
                if index[axis] < outerShape[axis] { break }
                destinationOffset -= outerStrides[axis] * outerShape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }
}
