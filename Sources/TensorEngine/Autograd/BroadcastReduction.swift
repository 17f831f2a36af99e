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
        // Walk the gradient once; each row of its last axis lands at the target offset with the
        // broadcast axes pinned to 0 — added element-wise when the target keeps the last axis,
        // summed to one value when it does not (a per-head scale broadcast over [B, heads, N, N]).
        let targetStrides = Shape.broadcastStrides(target, to: shape)
        let innerCount = shape.last ?? 1
        let innerStride = targetStrides.last ?? 0
        let outerCount = count / max(innerCount, 1)
        if outerCount == 0 { return result }
        let outerShape = Array(shape.dropLast())
        let outerStrides = Array(targetStrides.dropLast())
        // Rows are shared out in chunks whose number depends only on the sizes (so the sum is
        // the same at any thread count); each chunk past the first adds into its own partial.
        let targetCount = result.count
        let chunks = min(Self.reductionChunks, outerCount, max(1, count / Self.reductionChunkElements),
                         1 + Self.partialElementLimit / max(1, targetCount))
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: (chunks - 1) * targetCount)
        partials.initialize(repeating: 0, count: (chunks - 1) * targetCount)
        defer { partials.deallocate() }
        let source = data, destination = result.data
        OpProfiler.measure(.elementwise) {
            parallelChunks(outerCount, chunks: chunks) { chunk, rows in
                let out = chunk == 0 ? destination : partials + (chunk - 1) * targetCount
                // The target offset of the chunk's first row, from its multi-index.
                var index = [Int](repeating: 0, count: outerShape.count)
                var destinationOffset = 0
                var remainder = rows.lowerBound
                for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
                    index[axis] = remainder % outerShape[axis]
                    remainder /= outerShape[axis]
                    destinationOffset += index[axis] * outerStrides[axis]
                }
                for outer in rows {
                    let row = source + outer * innerCount
                    if innerStride == 0 {
                        out[destinationOffset] += RowVector.sum(row, innerCount)
                    } else {
                        RowVector.add(row, into: out + destinationOffset, innerCount)
                    }
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
            }
            for chunk in 1..<max(chunks, 1) {
                RowVector.add(partials + (chunk - 1) * targetCount, into: destination, targetCount)
            }
        }
        return result
    }

    /// At most this many partial sums in ``summedToShape(_:)``.
    static let reductionChunks = 8
    /// Gradient elements per partial sum, at least.
    static let reductionChunkElements = 1 << 16
    /// Floats of partial sums at most (64 MiB), for large targets.
    static let partialElementLimit = 1 << 24
}
