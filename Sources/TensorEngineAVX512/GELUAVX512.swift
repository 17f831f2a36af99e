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

    /// x·Φ(x), lane by lane (`runner_gelu16`).
    @inline(__always)
    public static func gelu(_ x: Vector) -> Vector {
        runner_gelu16(x)
    }

    /// GELU′(x) = Φ(x) + x·φ(x), lane by lane: what the gradient of GELU's output is multiplied
    /// by (`runner_gelu_derivative16`).
    @inline(__always)
    public static func derivative(_ x: Vector) -> Vector {
        runner_gelu_derivative16(x)
    }
}
#endif
