#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Softmax and log-softmax over the last axis — attention probabilities over keys `[B, H, L, L]`,
/// class scores `[N, C]`. Each row is fused: a max, one pass of exponentials with their sum
/// (subtracting the max so nothing overflows), and a normalising pass while the row is in cache.
/// Rows run in parallel.
extension Tensor {
    /// `exp(x − max) / Σ exp(x − max)` along the last axis (`axis` must name it), any leading shape.
    public func softmax(axis: Int = -1) -> Tensor {
        let width = lastAxisWidth(axis: axis, op: "softmax")
        let out = Tensor(uninitializedShape: shape)
        softmaxForward(input: data, output: out.data, rows: count / Swift.max(width, 1), width: width)
        if Tape.needsRecording(self) {
            Tape.record(out) { g in self.accumulateGrad(owned: softmaxBackward(output: out, gradient: g)) }
        }
        return out
    }

    /// `x − max − log Σ exp(x − max)` along the last axis (`axis` must name it), any leading shape.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let width = lastAxisWidth(axis: axis, op: "logSoftmax")
        let out = Tensor(uninitializedShape: shape)
        logSoftmaxForward(input: data, output: out.data, rows: count / Swift.max(width, 1), width: width)
        if Tape.needsRecording(self) {
            Tape.record(out) { g in self.accumulateGrad(owned: logSoftmaxBackward(output: out, gradient: g)) }
        }
        return out
    }

    /// The size of the last axis, after checking that `axis` names it.
    func lastAxisWidth(axis: Int, op: String) -> Int {
        guard rank >= 1 else { EngineError.fail(op, "needs at least one axis, got a scalar") }
        let resolved = Shape.normalize(axis: axis, rank: rank, op: op)
        guard resolved == rank - 1 else {
            EngineError.fail(op, "works along the last axis only; axis \(axis) of \(Shape.describe(shape)) is not the last")
        }
        return shape[rank - 1]
    }
}

/// Rows per parallel chunk so that a chunk holds about `vectorGrain` elements.
@inline(__always)
func rowGrain(width: Int) -> Int {
    Swift.max(1, vectorGrain / Swift.max(width, 1))
}

/// The log-sum-exp of one row of `width` ≥ 1 floats in two parts, its max and
/// log Σ exp(row − max), so that callers form `(x − max) − logSum` without the rounding of
/// `max + logSum` (which loses digits when |max| is large).
@inline(__always)
func rowLogSumExp(_ row: UnsafeMutablePointer<Float>, width: Int) -> (maximum: Float, logSum: Float) {
    let maximum = vectorMax(row, count: width)
    let shift = SIMD8<Float>(repeating: maximum)
    var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
    var j = 0
    while j + 16 <= width {
        s0 += VectorMath.exp(loadVector(row + j) - shift)
        s1 += VectorMath.exp(loadVector(row + j + 8) - shift)
        j += 16
    }
    if j + 8 <= width {
        s0 += VectorMath.exp(loadVector(row + j) - shift)
        j += 8
    }
    if j < width {
        s1 += VectorMath.exp(loadPartialVector(row + j, count: width - j, padding: -.infinity) - shift)
    }
    return (maximum, logf(horizontalSum(s0 + s1)))
}

/// Softmax of `rows` rows of `width` floats from `input` into `output`.
func softmaxForward(input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    guard width > 0 else { return }
    parallelFor(rows, grain: rowGrain(width: width)) { range in
        for r in range {
            let x = input + r * width, y = output + r * width
            let shift = SIMD8<Float>(repeating: vectorMax(x, count: width))
            var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
            var j = 0
            while j + 16 <= width {
                let e0 = VectorMath.exp(loadVector(x + j) - shift), e1 = VectorMath.exp(loadVector(x + j + 8) - shift)
                storeVector(e0, y + j)
                storeVector(e1, y + j + 8)
                s0 += e0
                s1 += e1
                j += 16
            }
            if j + 8 <= width {
                let e = VectorMath.exp(loadVector(x + j) - shift)
                storeVector(e, y + j)
                s0 += e
                j += 8
            }
            if j < width {
                let e = VectorMath.exp(loadPartialVector(x + j, count: width - j, padding: -.infinity) - shift)
                storePartialVector(e, y + j, count: width - j)
                s1 += e
            }
            let inverse = SIMD8<Float>(repeating: 1 / horizontalSum(s0 + s1))
            scaleRow(y, count: width, by: inverse)
        }
    }
}

/// `row *= factor` over `count` floats.
@inline(__always)
func scaleRow(_ row: UnsafeMutablePointer<Float>, count: Int, by factor: SIMD8<Float>) {
    var j = 0
    while j + 8 <= count {
        storeVector(loadVector(row + j) * factor, row + j)
        j += 8
    }
    if j < count {
        storePartialVector(loadPartialVector(row + j, count: count - j, padding: 0) * factor, row + j, count: count - j)
    }
}

/// Softmax's input gradient `y ⊙ (g − Σ g⊙y)` per row, from the saved output y.
func softmaxBackward(output: Tensor, gradient: Tensor) -> Tensor {
    let width = output.shape.last ?? 1
    let result = Tensor(uninitializedShape: output.shape)
    guard width > 0 else { return result }
    let y = output.data, g = gradient.data, gx = result.data
    parallelFor(output.count / width, grain: rowGrain(width: width)) { range in
        for r in range {
            let offset = r * width
            let dot = SIMD8<Float>(repeating: vectorDot(g + offset, y + offset, count: width))
            vectorZip(y + offset, g + offset, gx + offset, 0..<width) { y, g in y * (g - dot) }
        }
    }
    return result
}

/// Log-softmax of `rows` rows of `width` floats from `input` into `output`.
func logSoftmaxForward(input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    guard width > 0 else { return }
    parallelFor(rows, grain: rowGrain(width: width)) { range in
        for r in range {
            let x = input + r * width, y = output + r * width
            let (maximum, logSum) = rowLogSumExp(x, width: width)
            let shift = SIMD8<Float>(repeating: maximum), offset = SIMD8<Float>(repeating: logSum)
            vectorMap(x, y, 0..<width) { ($0 - shift) - offset }
        }
    }
}

/// Log-softmax's input gradient `g − exp(y)·Σ g` per row, from the saved output y.
func logSoftmaxBackward(output: Tensor, gradient: Tensor) -> Tensor {
    let width = output.shape.last ?? 1
    let result = Tensor(uninitializedShape: output.shape)
    guard width > 0 else { return result }
    let y = output.data, g = gradient.data, gx = result.data
    parallelFor(output.count / width, grain: rowGrain(width: width)) { range in
        for r in range {
            let offset = r * width
            let total = SIMD8<Float>(repeating: -vectorSum(g + offset, count: width))
            vectorZip(y + offset, g + offset, gx + offset, 0..<width) { y, g in g.addingProduct(VectorMath.exp(y), total) }
        }
    }
    return result
}
