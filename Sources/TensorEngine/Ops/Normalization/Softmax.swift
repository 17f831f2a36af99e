#if arch(x86_64)
import TensorEngineAVX512
#endif
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

/// Softmax of `rows` rows of `width` floats from `input` into `output`. Each row is three passes
/// while it sits in L1: the max, the exponentials with their sum, and the scaling by 1/sum. Rows
/// go in pairs, so that the short rows of window attention (64 keys) give the core two
/// independent chains of max → sum → reciprocal to overlap.
func softmaxForward(input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    OpProfiler.measure(.softmax) {
        guard width > 0 else { return }
        #if arch(x86_64)
        if ProcessorFeatures.hasAVX512 && SoftmaxAVX512.supports(width: width) {
            // Window attention's rows of 64 (or 16) keys: sixteen-lane passes over blocks of
            // rows held in L1.
            parallelFor(rows, grain: rowGrain(width: width)) { range in
                SoftmaxAVX512.forward(input + range.lowerBound * width, output + range.lowerBound * width,
                                      rows: range.count, width: width)
            }
            return
        }
        #endif
        parallelFor(rows, grain: rowGrain(width: width)) { range in
            var r = range.lowerBound
            if width <= interleavedSoftmaxWidth {
                while r + 4 <= range.upperBound {
                    softmaxFourRows(input + r * width, into: output + r * width, width: width)
                    r += 4
                }
            }
            while r < range.upperBound {
                let y = output + r * width
                let inverse = softmaxExponentials(input + r * width, into: y, width: width)
                scaleRow(y, count: width, by: inverse)
                r += 1
            }
        }
    }
}

/// Rows up to this width go four at a time through ``softmaxFourRows(_:into:width:)``; wider rows
/// already give the core enough independent work within one row.
let interleavedSoftmaxWidth = 256

/// Softmax of the four adjacent rows at `x` (`[4, width]`) into `y`, the exponential passes of all
/// four interleaved.
@inline(__always)
func softmaxFourRows(_ x: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>, width: Int) {
    let x1 = x + width, x2 = x1 + width, x3 = x2 + width
    let y1 = y + width, y2 = y1 + width, y3 = y2 + width
    let shift0 = SIMD8<Float>(repeating: rowMaximumIgnoringNaN(x, count: width))
    let shift1 = SIMD8<Float>(repeating: rowMaximumIgnoringNaN(x1, count: width))
    let shift2 = SIMD8<Float>(repeating: rowMaximumIgnoringNaN(x2, count: width))
    let shift3 = SIMD8<Float>(repeating: rowMaximumIgnoringNaN(x3, count: width))
    var s0 = SIMD8<Float>(), s1 = s0, s2 = s0, s3 = s0
    var j = 0
    while j + 8 <= width {
        let e0 = VectorMath.expOfNonPositive(loadVector(x + j) - shift0)
        let e1 = VectorMath.expOfNonPositive(loadVector(x1 + j) - shift1)
        let e2 = VectorMath.expOfNonPositive(loadVector(x2 + j) - shift2)
        let e3 = VectorMath.expOfNonPositive(loadVector(x3 + j) - shift3)
        storeVector(e0, y + j)
        storeVector(e1, y1 + j)
        storeVector(e2, y2 + j)
        storeVector(e3, y3 + j)
        s0 += e0
        s1 += e1
        s2 += e2
        s3 += e3
        j += 8
    }
    if j < width {
        s0 += partialExponentials(x + j, into: y + j, count: width - j, shift: shift0)
        s1 += partialExponentials(x1 + j, into: y1 + j, count: width - j, shift: shift1)
        s2 += partialExponentials(x2 + j, into: y2 + j, count: width - j, shift: shift2)
        s3 += partialExponentials(x3 + j, into: y3 + j, count: width - j, shift: shift3)
    }
    scaleRow(y, count: width, by: SIMD8<Float>(repeating: 1 / horizontalSum(s0)))
    scaleRow(y1, count: width, by: SIMD8<Float>(repeating: 1 / horizontalSum(s1)))
    scaleRow(y2, count: width, by: SIMD8<Float>(repeating: 1 / horizontalSum(s2)))
    scaleRow(y3, count: width, by: SIMD8<Float>(repeating: 1 / horizontalSum(s3)))
}

/// Writes `exp(x − shift)` of the last `count` (< 8) floats of a row and returns them, the unused
/// lanes 0.
@inline(__always)
func partialExponentials(_ x: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int,
                         shift: SIMD8<Float>) -> SIMD8<Float> {
    let e = VectorMath.expOfNonPositive(loadPartialVector(x, count: count, padding: -.infinity) - shift)
    storePartialVector(e, y, count: count)
    return e
}

/// Writes `exp(x − max)` of one row into `exponentials` and returns 1/Σ broadcast. A NaN
/// anywhere in the row makes the sum NaN, so the whole row comes out NaN (as in PyTorch);
/// so does a row whose max is ±∞.
@inline(__always)
func softmaxExponentials(_ x: UnsafeMutablePointer<Float>, into exponentials: UnsafeMutablePointer<Float>,
                         width: Int) -> SIMD8<Float> {
    let shift = SIMD8<Float>(repeating: rowMaximumIgnoringNaN(x, count: width))
    var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
    var j = 0
    while j + 16 <= width {
        let e0 = VectorMath.expOfNonPositive(loadVector(x + j) - shift), e1 = VectorMath.expOfNonPositive(loadVector(x + j + 8) - shift)
        storeVector(e0, exponentials + j)
        storeVector(e1, exponentials + j + 8)
        s0 += e0
        s1 += e1
        j += 16
    }
    if j + 8 <= width {
        let e = VectorMath.expOfNonPositive(loadVector(x + j) - shift)
        storeVector(e, exponentials + j)
        s0 += e
        j += 8
    }
    if j < width {
        let e = VectorMath.expOfNonPositive(loadPartialVector(x + j, count: width - j, padding: -.infinity) - shift)
        storePartialVector(e, exponentials + j, count: width - j)
        s1 += e
    }
    return SIMD8<Float>(repeating: 1 / horizontalSum(s0 + s1))
}

/// The largest of `count` (≥ 1) floats, skipping NaN (−∞ if all are NaN): one `max` per
/// vector, four accumulators.
@inline(__always)
func rowMaximumIgnoringNaN(_ row: UnsafeMutablePointer<Float>, count: Int) -> Float {
    var m0 = SIMD8<Float>(repeating: -.infinity), m1 = m0, m2 = m0, m3 = m0
    var i = 0
    while i + 32 <= count {
        let v0 = loadVector(row + i), v1 = loadVector(row + i + 8)
        let v2 = loadVector(row + i + 16), v3 = loadVector(row + i + 24)
        m0 = m0.replacing(with: v0, where: v0 .> m0)
        m1 = m1.replacing(with: v1, where: v1 .> m1)
        m2 = m2.replacing(with: v2, where: v2 .> m2)
        m3 = m3.replacing(with: v3, where: v3 .> m3)
        i += 32
    }
    while i + 8 <= count {
        let v = loadVector(row + i)
        m0 = m0.replacing(with: v, where: v .> m0)
        i += 8
    }
    if i < count {
        let v = loadPartialVector(row + i, count: count - i, padding: -.infinity)
        m1 = m1.replacing(with: v, where: v .> m1)
    }
    m0 = m0.replacing(with: m1, where: m1 .> m0)
    m2 = m2.replacing(with: m3, where: m3 .> m2)
    return horizontalMax(m0.replacing(with: m2, where: m2 .> m0))
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
    return OpProfiler.measure(.softmax) {
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
}

/// Log-softmax of `rows` rows of `width` floats from `input` into `output`.
func logSoftmaxForward(input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    OpProfiler.measure(.softmax) {
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
}

/// Log-softmax's input gradient `g − exp(y)·Σ g` per row, from the saved output y.
func logSoftmaxBackward(output: Tensor, gradient: Tensor) -> Tensor {
    return OpProfiler.measure(.softmax) {
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
}
