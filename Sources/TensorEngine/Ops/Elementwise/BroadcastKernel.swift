/// The loop every broadcasting binary op runs: `out[i] = f(a[ia], b[ib])` over the broadcast
/// shape, with fast paths for equal shapes, a scalar operand, and a trailing-suffix operand such
/// as a bias `[C]` against `[N, C]`.
@inline(__always)
func broadcastBinary(_ a: Tensor, _ b: Tensor, op: String,
                     _ f: (Float, Float) -> Float) -> Tensor {
    let outShape = a.shape == b.shape ? a.shape : Shape.broadcast(a.shape, b.shape, op: op)
    let out = Tensor(uninitializedShape: outShape)
    let n = out.count
    if n == 0 { return out }
    let pa = a.data, pb = b.data, po = out.data
    let grain = 1 << 14
    if a.count == n && b.count == n {
        parallelFor(n, grain: grain) { range in
            for i in range { po[i] = f(pa[i], pb[i]) }
        }
    } else if b.count == 1 && a.count == n {
        let scalar = pb[0]
        parallelFor(n, grain: grain) { range in
            for i in range { po[i] = f(pa[i], scalar) }
        }
    } else if a.count == 1 && b.count == n {
        let scalar = pa[0]
        parallelFor(n, grain: grain) { range in
            for i in range { po[i] = f(scalar, pb[i]) }
        }
    } else if a.count == n && isTrailingSuffix(b.shape, of: outShape) {
        let inner = b.count
        parallelFor(n / inner, grain: max(1, grain / inner)) { rows in
            for r in rows {
                let rowA = pa + r * inner, rowO = po + r * inner
                for j in 0..<inner { rowO[j] = f(rowA[j], pb[j]) }
            }
        }
    } else if b.count == n && isTrailingSuffix(a.shape, of: outShape) {
        let inner = a.count
        parallelFor(n / inner, grain: max(1, grain / inner)) { rows in
            for r in rows {
                let rowB = pb + r * inner, rowO = po + r * inner
                for j in 0..<inner { rowO[j] = f(pa[j], rowB[j]) }
            }
        }
    } else {
        generalBroadcast(outShape, a, b, po, f)
    }
    return out
}

/// Whether `shape` (without its leading 1s) equals the last axes of `target`.
func isTrailingSuffix(_ shape: [Int], of target: [Int]) -> Bool {
    let trimmed = Array(shape.drop(while: { $0 == 1 }))
    return trimmed.count <= target.count && Array(target.suffix(trimmed.count)) == trimmed
}

@inline(__always)
private func generalBroadcast(_ outShape: [Int], _ a: Tensor, _ b: Tensor, _ po: UnsafeMutablePointer<Float>,
                              _ f: (Float, Float) -> Float) {
    let stridesA = Shape.broadcastStrides(a.shape, to: outShape)
    let stridesB = Shape.broadcastStrides(b.shape, to: outShape)
    let inner = outShape.last!
    let innerA = stridesA.last!, innerB = stridesB.last!
    let outerShape = Array(outShape.dropLast())
    let rows = Shape.elementCount(outerShape)
    let pa = a.data, pb = b.data
    parallelFor(rows, grain: max(1, (1 << 14) / max(inner, 1))) { range in
        for row in range {
            let (offsetA, offsetB) = broadcastRowOffsets(row, outerShape: outerShape, stridesA, stridesB)
            let rowO = po + row * inner
            for j in 0..<inner { rowO[j] = f(pa[offsetA + j * innerA], pb[offsetB + j * innerB]) }
        }
    }
}

/// The loop every element-wise unary op runs: `out[i] = f(x[i])`, in parallel.
@inline(__always)
func mapElements(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape)
    let px = x.data, po = out.data
    parallelFor(x.count, grain: 1 << 14) { range in
        for i in range { po[i] = f(px[i]) }
    }
    return out
}

/// `out[i] = f(x[i], y[i])` for two tensors of one shape, in parallel (for backward passes).
@inline(__always)
func zipElements(_ x: Tensor, _ y: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    precondition(x.shape == y.shape, "zipElements: \(Shape.describe(x.shape)) vs \(Shape.describe(y.shape))")
    let out = Tensor(uninitializedShape: x.shape)
    let px = x.data, py = y.data, po = out.data
    parallelFor(x.count, grain: 1 << 14) { range in
        for i in range { po[i] = f(px[i], py[i]) }
    }
    return out
}

/// The offsets in `a` and `b` of row `row` of a broadcast result whose leading axes are
/// `outerShape`, from the operands' broadcast strides over those axes.
@inline(__always)
func broadcastRowOffsets(_ row: Int, outerShape: [Int], _ stridesA: [Int], _ stridesB: [Int]) -> (Int, Int) {
    var remainder = row, offsetA = 0, offsetB = 0
    for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
        let index = remainder % outerShape[axis]
        remainder /= outerShape[axis]
        offsetA += index * stridesA[axis]
        offsetB += index * stridesB[axis]
    }
    return (offsetA, offsetB)
}
