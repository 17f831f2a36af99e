/// Reductions over chosen axes: sums and means (e.g. pooling tokens `[B, L, C] → [B, C]`,
/// per-channel statistics) and the maximum along one axis.
extension Tensor {
    /// The sum over `axes` (negative axes count from the end; repeats are ignored). The reduced
    /// axes are removed, or kept with size 1 when `keepingDimensions`. The gradient is the
    /// upstream gradient repeated along the reduced axes.
    public func sum(axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        reduceSum(axes: axes, keepingDimensions: keepingDimensions, scaledByCount: false, op: "sum")
    }

    /// The mean over `axes`, shaped as ``sum(axes:keepingDimensions:)``.
    public func mean(axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        reduceSum(axes: axes, keepingDimensions: keepingDimensions, scaledByCount: true, op: "mean")
    }

    /// The largest element along `axis`, which is removed (or kept with size 1 when
    /// `keepingDimension`). The gradient flows only to the first position holding the maximum;
    /// a NaN counts as the maximum. (Named `maximum` because a member called `max` would hide
    /// `Swift.max` inside every `Tensor` extension.)
    public func maximum(axis: Int, keepingDimension: Bool = false) -> Tensor {
        let axis = Shape.normalize(axis: axis, rank: rank, op: "maximum")
        let size = shape[axis]
        guard size > 0 else { EngineError.fail("maximum", "axis \(axis) of a tensor of shape \(Shape.describe(shape)) is empty") }
        let outer = Shape.elementCount(Array(shape[..<axis]))
        let inner = Shape.elementCount(Array(shape[(axis + 1)...]))
        var outShape = shape
        if keepingDimension { outShape[axis] = 1 } else { outShape.remove(at: axis) }
        let out = Tensor(uninitializedShape: outShape)
        let recording = Tape.needsRecording(self)
        // Where each maximum sits along the axis, kept for the backward pass only.
        var positions = [Int32](repeating: 0, count: recording ? outer * inner : 0)
        let source = data, destination = out.data
        let block = 256
        let blocks = (inner + block - 1) / block
        positions.withUnsafeMutableBufferPointer { positionBuffer in
            // (An empty array may still hand out a base address: test `recording`, not the pointer.)
            let position = recording ? positionBuffer.baseAddress : nil
            parallelFor(outer * blocks, grain: Swift.max(1, (1 << 14) / Swift.max(1, size * Swift.min(inner, block)))) { items in
                for item in items {
                    let o = item / blocks
                    let j0 = (item % blocks) * block, j1 = Swift.min(j0 + block, inner)
                    let input = source + o * size * inner
                    let best = destination + o * inner
                    for j in j0..<j1 { best[j] = input[j] }
                    if let position {
                        let at = position + o * inner
                        for r in 1..<size {
                            let row = input + r * inner
                            for j in j0..<j1 where row[j] > best[j] || (row[j].isNaN && !best[j].isNaN) {
                                best[j] = row[j]
                                at[j] = Int32(r)
                            }
                        }
                    } else {
                        for r in 1..<size {
                            let row = input + r * inner
                            for j in j0..<j1 where row[j] > best[j] || (row[j].isNaN && !best[j].isNaN) {
                                best[j] = row[j]
                            }
                        }
                    }
                }
            }
        }
        if recording {
            Tape.record(out) { g in
                self.accumulateGradInPlace { gradient in
                    let upstream = g.data
                    positions.withUnsafeBufferPointer { position in
                        parallelFor(outer, grain: Swift.max(1, (1 << 14) / Swift.max(inner, 1))) { rows in
                            for o in rows {
                                for j in 0..<inner {
                                    let r = Int(position[o * inner + j])
                                    gradient[(o * size + r) * inner + j] += upstream[o * inner + j]
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    private func reduceSum(axes: [Int], keepingDimensions: Bool, scaledByCount: Bool, op: String) -> Tensor {
        var reduced = [Bool](repeating: false, count: rank)
        for axis in axes { reduced[Shape.normalize(axis: axis, rank: rank, op: op)] = true }
        let keptShape = (0..<rank).map { reduced[$0] ? 1 : shape[$0] }
        let outShape = keepingDimensions ? keptShape : (0..<rank).filter { !reduced[$0] }.map { shape[$0] }
        let reducedCount = (0..<rank).filter { reduced[$0] }.reduce(1) { $0 * shape[$1] }
        let scale: Float = scaledByCount ? 1 / Float(Swift.max(reducedCount, 1)) : 1
        let out = Tensor(uninitializedShape: outShape)
        Tensor.sumKernel(shape: shape, reduced: reduced, from: data, to: out.data, scale: scale)
        if Tape.needsRecording(self) {
            let inputShape = shape
            Tape.record(out) { g in
                // Repeat the (scaled) upstream gradient along the reduced axes.
                let upstream = scale == 1 ? g : g * scale
                let gradient = Tensor(uninitializedShape: inputShape)
                StridedCopyPlan(extent: inputShape, sourceStrides: Shape.broadcastStrides(keptShape, to: inputShape),
                                destinationStrides: Shape.strides(inputShape))
                    .run(from: upstream.data, to: gradient.data)
                self.accumulateGrad(owned: gradient)
            }
        }
        return out
    }

    /// Sums a contiguous tensor of `shape` over the axes flagged in `reduced` into `destination`
    /// (the kept axes, contiguous), times `scale`. Adjacent axes of the same kind are merged, so
    /// the work becomes `[outer, R, inner]` blocks; several reduced groups are done one by one
    /// from the innermost.
    static func sumKernel(shape: [Int], reduced: [Bool], from source: UnsafePointer<Float>,
                          to destination: UnsafeMutablePointer<Float>, scale: Float) {
        // Merge runs of axes of the same kind; unit axes join either.
        var sizes: [Int] = [], kinds: [Bool] = []
        for (size, isReduced) in zip(shape, reduced) where size != 1 {
            if let last = kinds.last, last == isReduced {
                sizes[sizes.count - 1] *= size
            } else {
                sizes.append(size); kinds.append(isReduced)
            }
        }
        let total = Shape.elementCount(shape)
        let outCount = zip(sizes, kinds).reduce(1) { $1.1 ? $0 : $0 * $1.0 }
        if total == 0 {
            destination.update(repeating: 0, count: outCount)
            return
        }
        guard let lastReduced = kinds.lastIndex(of: true) else {
            // Nothing of size > 1 is reduced: a scaled copy.
            parallelFor(total, grain: 1 << 15) { range in
                for i in range { destination[i] = source[i] * scale }
            }
            return
        }
        // Reduce the innermost reduced group; recurse on the result for the others.
        let outer = sizes[..<lastReduced].reduce(1, *)
        let reducedSize = sizes[lastReduced]
        let inner = sizes[(lastReduced + 1)...].reduce(1, *)
        let remainingReduced = kinds[..<lastReduced].contains(true)
        if !remainingReduced {
            sumMiddle(outer: outer, reduced: reducedSize, inner: inner, from: source, to: destination, scale: scale)
            return
        }
        let partial = Tensor(uninitializedShape: [outer * inner])
        sumMiddle(outer: outer, reduced: reducedSize, inner: inner, from: source, to: partial.data, scale: 1)
        var nextShape = Array(sizes[..<lastReduced])
        var nextReduced = Array(kinds[..<lastReduced])
        if inner > 1 { nextShape.append(inner); nextReduced.append(false) }
        sumKernel(shape: nextShape, reduced: nextReduced, from: partial.data, to: destination, scale: scale)
    }

    /// `destination[o, j] = scale · Σ_r source[o, r, j]` for a contiguous `[outer, reduced, inner]`.
    private static func sumMiddle(outer: Int, reduced: Int, inner: Int, from source: UnsafePointer<Float>,
                                  to destination: UnsafeMutablePointer<Float>, scale: Float) {
        let threads = ThreadPool.shared.activeThreads
        let work = outer * reduced * inner
        if outer * inner < 4 * threads && reduced >= 64 && work >= 1 << 16 {
            // Few outputs, long reductions: split the reduced axis, then add the partial sums.
            let parts = Swift.min(4 * threads, reduced / 16)
            let partials = Tensor(uninitializedShape: [parts, outer * inner])
            let p = partials.data
            parallelFor(parts, grain: 1) { range in
                for part in range {
                    let r0 = reduced * part / parts, r1 = reduced * (part + 1) / parts
                    for o in 0..<outer {
                        sumBlock(source + (o * reduced + r0) * inner, rows: r1 - r0, inner: inner, columns: 0..<inner,
                                 into: p + part * outer * inner + o * inner, scale: 1)
                    }
                }
            }
            for i in 0..<(outer * inner) {
                var total: Float = 0
                for part in 0..<parts { total += p[part * outer * inner + i] }
                destination[i] = total * scale
            }
            return
        }
        if inner == 1 {
            parallelFor(outer, grain: Swift.max(1, (1 << 14) / reduced)) { rows in
                for o in rows { destination[o] = sumContiguous(source + o * reduced, reduced) * scale }
            }
            return
        }
        let block = 1024
        let blocks = (inner + block - 1) / block
        parallelFor(outer * blocks, grain: Swift.max(1, (1 << 14) / Swift.max(1, reduced * Swift.min(inner, block)))) { items in
            for item in items {
                let o = item / blocks
                let j0 = (item % blocks) * block, j1 = Swift.min(j0 + block, inner)
                sumBlock(source + o * reduced * inner, rows: reduced, inner: inner, columns: j0..<j1,
                         into: destination + o * inner, scale: scale)
            }
        }
    }

    /// `into[j] = scale · Σ_r rows[r, j]` for `j` in `columns`, four rows at a time.
    @inline(__always)
    private static func sumBlock(_ source: UnsafePointer<Float>, rows: Int, inner: Int, columns: Range<Int>,
                                 into destination: UnsafeMutablePointer<Float>, scale: Float) {
        for j in columns { destination[j] = 0 }
        var r = 0
        while r + 4 <= rows {
            let a = source + r * inner, b = a + inner, c = b + inner, d = c + inner
            for j in columns { destination[j] += (a[j] + b[j]) + (c[j] + d[j]) }
            r += 4
        }
        while r < rows {
            let a = source + r * inner
            for j in columns { destination[j] += a[j] }
            r += 1
        }
        if scale != 1 { for j in columns { destination[j] *= scale } }
    }

    /// The sum of `count` contiguous floats with four 8-wide accumulators.
    @inline(__always)
    private static func sumContiguous(_ source: UnsafePointer<Float>, _ count: Int) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var i = 0
        let raw = UnsafeRawPointer(source)
        while i + 32 <= count {
            a0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            a1 += raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
            a2 += raw.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD8<Float>.self)
            a3 += raw.loadUnaligned(fromByteOffset: (i + 24) * 4, as: SIMD8<Float>.self)
            i += 32
        }
        while i + 8 <= count {
            a0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var total = ((a0 + a1) + (a2 + a3)).sum()
        while i < count { total += source[i]; i += 1 }
        return total
    }
}
