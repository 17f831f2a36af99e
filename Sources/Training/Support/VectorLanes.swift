import TensorEngine
import CKernelIntrinsics

// Loops shared by the fused optimizer kernels, clipping and averaging: eight lanes at a time over
// raw buffers, a partial vector for the tail, and large tensors split over the engine's pool.
// (The engine's own helpers are internal to TensorEngine, hence this small copy.)

/// Elements below which a per-parameter pass stays on the calling thread.
let fusedGrain = 1 << 14

/// Eight floats at `pointer + index`, or the first `lanes` (< 8) with zeros after them.
@inline(__always)
func lanesLoad(_ pointer: UnsafeMutablePointer<Float>, _ index: Int, _ lanes: Int) -> SIMD8<Float> {
    if lanes == 8 {
        return UnsafeRawPointer(pointer + index).loadUnaligned(as: SIMD8<Float>.self)
    }
    var value = SIMD8<Float>()
    for lane in 0..<lanes { value[lane] = pointer[index + lane] }
    return value
}

/// Stores the first `lanes` lanes of `value` at `pointer + index`.
@inline(__always)
func lanesStore(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>, _ index: Int, _ lanes: Int) {
    if lanes == 8 {
        UnsafeMutableRawPointer(pointer + index).storeBytes(of: value, as: SIMD8<Float>.self)
        return
    }
    for lane in 0..<lanes { pointer[index + lane] = value[lane] }
}

/// The square root of every lane in one instruction (`SIMD8.squareRoot()` is lane by lane).
@inline(__always)
func lanesSquareRoot(_ value: SIMD8<Float>) -> SIMD8<Float> {
    runner_sqrt8(value)
}

/// Calls `body(index, lanes)` for consecutive groups of up to eight elements covering `range`.
@inline(__always)
func forEachLaneGroup(_ range: Range<Int>, _ body: (Int, Int) -> Void) {
    var index = range.lowerBound
    while index + 8 <= range.upperBound {
        body(index, 8)
        index += 8
    }
    if index < range.upperBound { body(index, range.upperBound - index) }
}

/// Runs `body(index, lanes)` over `0..<count` in lane groups, on the pool when `count` is large.
@inline(__always)
func fusedPass(_ count: Int, _ body: (Int, Int) -> Void) {
    parallelFor(count, grain: fusedGrain) { range in forEachLaneGroup(range, body) }
}

/// Σ x² over `count` floats, accumulated per range in Float lanes and across ranges in Double.
func sumOfSquares(_ pointer: UnsafeMutablePointer<Float>, count: Int) -> Double {
    let chunks = max(1, min(64, count / fusedGrain))
    if chunks == 1 { return sumOfSquares(pointer, 0..<count) }
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: chunks) { partial in
        let out = partial.baseAddress!
        parallelFor(chunks) { range in
            for chunk in range {
                out[chunk] = sumOfSquares(pointer, count * chunk / chunks ..< count * (chunk + 1) / chunks)
            }
        }
        return partial.reduce(0, +)
    }
}

/// Σ x² over `range`, with two vector accumulators.
func sumOfSquares(_ pointer: UnsafeMutablePointer<Float>, _ range: Range<Int>) -> Double {
    var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
    var index = range.lowerBound
    while index + 16 <= range.upperBound {
        let a = lanesLoad(pointer, index, 8), b = lanesLoad(pointer, index + 8, 8)
        s0 = s0.addingProduct(a, a)
        s1 = s1.addingProduct(b, b)
        index += 16
    }
    forEachLaneGroup(index..<range.upperBound) { i, lanes in
        let a = lanesLoad(pointer, i, lanes)
        s0 = s0.addingProduct(a, a)
    }
    let s = s0 + s1
    var total = 0.0
    for lane in 0..<8 { total += Double(s[lane]) }
    return total
}

/// The largest |x| over `count` floats (0 for none; NaN if any is NaN).
func largestMagnitude(_ pointer: UnsafeMutablePointer<Float>, count: Int) -> Float {
    var largest: Float = 0
    for index in 0..<count {
        let value = abs(pointer[index])
        if value.isNaN { return .nan }
        if value > largest { largest = value }
    }
    return largest
}
