/// The loops of the vectorised element-wise kernels: eight lanes at a time over contiguous floats,
/// a partial vector for the tail, and the work split over the pool.

/// Elements per parallel chunk below which a vectorised element-wise loop stays on one thread.
let vectorGrain = 1 << 15

/// Eight floats from `pointer` (any alignment).
@inline(__always)
func loadVector(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func loadVector(_ pointer: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

/// Stores eight floats at `pointer` (any alignment).
@inline(__always)
func storeVector(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
}

/// The first `count` (< 8) floats at `pointer`, the other lanes set to `padding`.
@inline(__always)
func loadPartialVector(_ pointer: UnsafePointer<Float>, count: Int, padding: Float) -> SIMD8<Float> {
    var value = SIMD8<Float>(repeating: padding)
    for lane in 0..<count { value[lane] = pointer[lane] }
    return value
}

@inline(__always)
func loadPartialVector(_ pointer: UnsafeMutablePointer<Float>, count: Int, padding: Float) -> SIMD8<Float> {
    loadPartialVector(UnsafePointer(pointer), count: count, padding: padding)
}

/// Stores the first `count` (< 8) lanes of `value` at `pointer`.
@inline(__always)
func storePartialVector(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>, count: Int) {
    for lane in 0..<count { pointer[lane] = value[lane] }
}

/// `output[i] = f(input[i])` for `i` in `range`, eight at a time.
@inline(__always)
func vectorMap(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ range: Range<Int>,
               _ f: (SIMD8<Float>) -> SIMD8<Float>) {
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
        storeVector(f(loadVector(input + i)), output + i)
        i += 8
    }
    if i < range.upperBound {
        let rest = range.upperBound - i
        storePartialVector(f(loadPartialVector(input + i, count: rest, padding: 0)), output + i, count: rest)
    }
}

/// `output[i] = f(a[i], b[i])` for `i` in `range`, eight at a time.
@inline(__always)
func vectorZip(_ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>,
               _ range: Range<Int>, _ f: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>) {
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
        storeVector(f(loadVector(a + i), loadVector(b + i)), output + i)
        i += 8
    }
    if i < range.upperBound {
        let rest = range.upperBound - i
        storePartialVector(f(loadPartialVector(a + i, count: rest, padding: 0),
                             loadPartialVector(b + i, count: rest, padding: 0)), output + i, count: rest)
    }
}

/// A new tensor `f(x)` element-wise, vectorised and in parallel.
@inline(__always)
func vectorMapElements(_ x: Tensor, _ f: (SIMD8<Float>) -> SIMD8<Float>) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape)
    let input = x.data, output = out.data
    parallelFor(x.count, grain: vectorGrain) { range in vectorMap(input, output, range, f) }
    return out
}

/// A new tensor `f(a, b)` element-wise for two tensors of one shape, vectorised and in parallel
/// (the backward passes: `a` an input or output, `b` the incoming gradient).
@inline(__always)
func vectorZipElements(_ a: Tensor, _ b: Tensor, _ f: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>) -> Tensor {
    precondition(a.shape == b.shape, "vectorZipElements: \(Shape.describe(a.shape)) vs \(Shape.describe(b.shape))")
    let out = Tensor(uninitializedShape: a.shape)
    let pa = a.data, pb = b.data, output = out.data
    parallelFor(a.count, grain: vectorGrain) { range in vectorZip(pa, pb, output, range, f) }
    return out
}

/// The sum of `count` floats from `pointer`, with four vector accumulators.
@inline(__always)
func vectorSum(_ pointer: UnsafeMutablePointer<Float>, count: Int) -> Float {
    var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
    var i = 0
    while i + 32 <= count {
        s0 += loadVector(pointer + i)
        s1 += loadVector(pointer + i + 8)
        s2 += loadVector(pointer + i + 16)
        s3 += loadVector(pointer + i + 24)
        i += 32
    }
    while i + 8 <= count {
        s0 += loadVector(pointer + i)
        i += 8
    }
    if i < count { s1 += loadPartialVector(pointer + i, count: count - i, padding: 0) }
    return horizontalSum((s0 + s1) + (s2 + s3))
}

/// Σ a[i]·b[i] over `count` floats, with four vector accumulators.
@inline(__always)
func vectorDot(_ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, count: Int) -> Float {
    var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
    var i = 0
    while i + 32 <= count {
        s0 = s0.addingProduct(loadVector(a + i), loadVector(b + i))
        s1 = s1.addingProduct(loadVector(a + i + 8), loadVector(b + i + 8))
        s2 = s2.addingProduct(loadVector(a + i + 16), loadVector(b + i + 16))
        s3 = s3.addingProduct(loadVector(a + i + 24), loadVector(b + i + 24))
        i += 32
    }
    while i + 8 <= count {
        s0 = s0.addingProduct(loadVector(a + i), loadVector(b + i))
        i += 8
    }
    if i < count {
        let rest = count - i
        s1 = s1.addingProduct(loadPartialVector(a + i, count: rest, padding: 0), loadPartialVector(b + i, count: rest, padding: 0))
    }
    return horizontalSum((s0 + s1) + (s2 + s3))
}

/// The largest of `count` (≥ 1) floats from `pointer`; NaN if any is NaN.
@inline(__always)
func vectorMax(_ pointer: UnsafeMutablePointer<Float>, count: Int) -> Float {
    var m0 = SIMD8<Float>(repeating: -.infinity), m1 = m0
    var nan = SIMDMask<SIMD8<Int32>>()
    var i = 0
    while i + 16 <= count {
        let v0 = loadVector(pointer + i), v1 = loadVector(pointer + i + 8)
        m0 = m0.replacing(with: v0, where: v0 .> m0)
        m1 = m1.replacing(with: v1, where: v1 .> m1)
        nan = nan .| (v0 .!= v0) .| (v1 .!= v1)
        i += 16
    }
    while i + 8 <= count {
        let v = loadVector(pointer + i)
        m0 = m0.replacing(with: v, where: v .> m0)
        nan = nan .| (v .!= v)
        i += 8
    }
    if i < count {
        let v = loadPartialVector(pointer + i, count: count - i, padding: -.infinity)
        m1 = m1.replacing(with: v, where: v .> m1)
        nan = nan .| (v .!= v)
    }
    if anyLane(nan) { return .nan }
    return horizontalMax(m0.replacing(with: m1, where: m1 .> m0))
}

// Horizontal reductions by halving: the standard library's `sum()`, `max()` and `any(_:)` stay
// out-of-line calls with scalar loops.

/// The sum of the eight lanes.
@inline(__always)
func horizontalSum(_ v: SIMD8<Float>) -> Float {
    let four = v.lowHalf + v.highHalf
    let two = four.lowHalf + four.highHalf
    return two[0] + two[1]
}

/// The largest of the eight lanes (no NaN expected).
@inline(__always)
func horizontalMax(_ v: SIMD8<Float>) -> Float {
    let four = v.lowHalf.replacing(with: v.highHalf, where: v.highHalf .> v.lowHalf)
    let two = four.lowHalf.replacing(with: four.highHalf, where: four.highHalf .> four.lowHalf)
    return Swift.max(two[0], two[1])
}

/// Whether any lane of `mask` is set.
@inline(__always)
func anyLane(_ mask: SIMDMask<SIMD8<Int32>>) -> Bool {
    let bits = unsafeBitCast(mask, to: SIMD8<Int32>.self)
    let four = bits.lowHalf | bits.highHalf
    let two = four.lowHalf | four.highHalf
    return (two[0] | two[1]) != 0
}
