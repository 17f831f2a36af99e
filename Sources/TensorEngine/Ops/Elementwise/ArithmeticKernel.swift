/// The four arithmetic operators as kernels the compiler specialises: each broadcasting loop below
/// is generic over one of these, so the operator is inlined into vector loops instead of being
/// called per element through a closure. Residual additions, attention biases and masks, and the
/// gradients of products all run through here.
protocol ArithmeticKernel {
    static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float>
    static func apply(_ a: Float, _ b: Float) -> Float
}

enum AddKernel: ArithmeticKernel {
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a + b }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b }
}

enum SubtractKernel: ArithmeticKernel {
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a - b }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b }
}

enum MultiplyKernel: ArithmeticKernel {
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a * b }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b }
}

enum DivideKernel: ArithmeticKernel {
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a / b }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b }
}

/// −a/b, for the divisor's gradient.
enum NegatedDivideKernel: ArithmeticKernel {
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { -a / b }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { -a / b }
}

/// `out[i] = K(a[ia], b[ib])` over the broadcast shape of `a` and `b`, vectorised: equal shapes, a
/// scalar operand, a trailing-suffix operand (a bias `[C]` against `[N, C]`), and general
/// broadcasting whose last axis is contiguous or broadcast in each operand (an attention mask
/// `[nW, 1, N, N]` against `[B, nW, H, N, N]`).
@inline(__always)
func broadcastArithmetic<K: ArithmeticKernel>(_ a: Tensor, _ b: Tensor, op: String, _ kernel: K.Type) -> Tensor {
    return OpProfiler.measure(.elementwise) {
        let outShape = a.shape == b.shape ? a.shape : Shape.broadcast(a.shape, b.shape, op: op)
        let out = Tensor(uninitializedShape: outShape)
        let n = out.count
        if n == 0 { return out }
        let pa = a.data, pb = b.data, po = out.data
        if a.count == n && b.count == n {
            parallelFor(n, grain: vectorGrain) { range in
                arithmeticRun(K.self, pa + range.lowerBound, 1, pb + range.lowerBound, 1, po + range.lowerBound, range.count)
            }
        } else if b.count == 1 && a.count == n {
            parallelFor(n, grain: vectorGrain) { range in
                arithmeticRun(K.self, pa + range.lowerBound, 1, pb, 0, po + range.lowerBound, range.count)
            }
        } else if a.count == 1 && b.count == n {
            parallelFor(n, grain: vectorGrain) { range in
                arithmeticRun(K.self, pa, 0, pb + range.lowerBound, 1, po + range.lowerBound, range.count)
            }
        } else if a.count == n && isTrailingSuffix(b.shape, of: outShape) {
            let inner = b.count
            parallelFor(n / inner, grain: max(1, vectorGrain / inner)) { rows in
                for r in rows { arithmeticRun(K.self, pa + r * inner, 1, pb, 1, po + r * inner, inner) }
            }
        } else if b.count == n && isTrailingSuffix(a.shape, of: outShape) {
            let inner = a.count
            parallelFor(n / inner, grain: max(1, vectorGrain / inner)) { rows in
                for r in rows { arithmeticRun(K.self, pa, 1, pb + r * inner, 1, po + r * inner, inner) }
            }
        } else {
            let stridesA = Shape.broadcastStrides(a.shape, to: outShape)
            let stridesB = Shape.broadcastStrides(b.shape, to: outShape)
            let inner = outShape.last!
            let innerA = stridesA.last!, innerB = stridesB.last!
            let outerShape = Array(outShape.dropLast())
            let rows = Shape.elementCount(outerShape)
            parallelFor(rows, grain: max(1, vectorGrain / max(inner, 1))) { range in
                for row in range {
                    let (offsetA, offsetB) = broadcastRowOffsets(row, outerShape: outerShape, stridesA, stridesB)
                    arithmeticRun(K.self, pa + offsetA, innerA, pb + offsetB, innerB, po + row * inner, inner)
                }
            }
        }
        return out
    }
}

/// `out[j] = K(a[j·strideA], b[j·strideB])` for `j < count`; strides of 0 (a broadcast scalar) and 1
/// run as vector loops, anything else element by element.
@inline(__always)
func arithmeticRun<K: ArithmeticKernel>(_ kernel: K.Type, _ a: UnsafeMutablePointer<Float>, _ strideA: Int,
                                        _ b: UnsafeMutablePointer<Float>, _ strideB: Int,
                                        _ out: UnsafeMutablePointer<Float>, _ count: Int) {
    switch (strideA, strideB) {
    case (1, 1):
        var j = 0
        while j + 16 <= count {
            storeVector(K.apply(loadVector(a + j), loadVector(b + j)), out + j)
            storeVector(K.apply(loadVector(a + j + 8), loadVector(b + j + 8)), out + j + 8)
            j += 16
        }
        while j + 8 <= count {
            storeVector(K.apply(loadVector(a + j), loadVector(b + j)), out + j)
            j += 8
        }
        while j < count { out[j] = K.apply(a[j], b[j]); j += 1 }
    case (1, 0):
        let scalar = SIMD8<Float>(repeating: b[0])
        var j = 0
        while j + 8 <= count {
            storeVector(K.apply(loadVector(a + j), scalar), out + j)
            j += 8
        }
        while j < count { out[j] = K.apply(a[j], b[0]); j += 1 }
    case (0, 1):
        let scalar = SIMD8<Float>(repeating: a[0])
        var j = 0
        while j + 8 <= count {
            storeVector(K.apply(scalar, loadVector(b + j)), out + j)
            j += 8
        }
        while j < count { out[j] = K.apply(a[0], b[j]); j += 1 }
    default:
        for j in 0..<count { out[j] = K.apply(a[j * strideA], b[j * strideB]) }
    }
}
