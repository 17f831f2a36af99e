#if arch(x86_64)
import CKernelIntrinsics

/// The exact GELU and its derivative on sixteen lanes, for the epilogues of the AVX-512 product
/// kernels (a transformer MLP's `fc1` stores `gelu(x·W₁ᵀ + b₁)` as it leaves the registers, and
/// the backward product stores `(g·W₂) ⊙ GELU′(z)`), so neither needs a pass over memory of its own.
///
/// The arithmetic of the engine's eight-lane `VectorMath.gelu` / `normalCDFRational` and GELU
/// backward — Φ(x) = ½ + u·P(u²)/Q(u²) with u = x clamped to ±5.7, then clamped to [0, 1];
/// GELU(x) = x·Φ(x); GELU′(x) = Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π) — except that P/Q is
/// P times a refined reciprocal of Q (`runner_reciprocal16`): the sixteen-lane division cost more
/// than the rest of the activation. Results differ from the eight-lane ones by an ulp or so
/// (≤ 1e-7 absolute in Φ), inside their documented error.
public enum GELUAVX512 {
    public typealias Vector = SIMD16<Float>

    /// x·Φ(x), lane by lane.
    @inline(__always)
    public static func gelu(_ x: Vector) -> Vector {
        x * normalCDF(x)
    }

    /// GELU′(x) = Φ(x) + x·φ(x), lane by lane: what the gradient of GELU's output is multiplied by.
    @inline(__always)
    public static func derivative(_ x: Vector) -> Vector {
        let density = SoftmaxAVX512.expOfNonPositive(-0.5 * x * x) * 0.398_942_280_401_432_678
        return normalCDF(x).addingProduct(x, density)
    }

    /// Φ(x) on the rational of the engine's `VectorMath.normalCDFRational` (absolute error ≤ 2e-7).
    @inline(__always)
    static func normalCDF(_ x: Vector) -> Vector {
        // Clamps as one max and one min each (NaN passes through), not compare-and-blend.
        let u = runner_clamp16(x, -5.7, 5.7)
        let s = u * u
        var p = Vector(repeating: 5.249_626_764e+00).addingProduct(Vector(repeating: 1.913_886_731e-02), s)
        p = Vector(repeating: 1.367_626_902e+02).addingProduct(p, s)
        p = Vector(repeating: 3.875_538_938e+03).addingProduct(p, s)
        p = Vector(repeating: 2.785_538_130e+04).addingProduct(p, s)
        p = Vector(repeating: 3.326_559_070e+05).addingProduct(p, s)
        var q = s + 6.002_131_848e+01
        q = Vector(repeating: 1.548_742_091e+03).addingProduct(q, s)
        q = Vector(repeating: 2.366_848_680e+04).addingProduct(q, s)
        q = Vector(repeating: 2.087_969_760e+05).addingProduct(q, s)
        q = Vector(repeating: 8.338_447_197e+05).addingProduct(q, s)
        let phi = Vector(repeating: 0.5).addingProduct(u, p * runner_reciprocal16(q))
        return runner_clamp16(phi, 0, 1)
    }
}
#endif
