#if arch(x86_64)
import CKernelIntrinsics

/// The exact GELU and its derivative on sixteen lanes, for the epilogues of the AVX-512 product
/// kernels (a transformer MLP's `fc1` stores `gelu(x·W₁ᵀ + b₁)` as it leaves the registers, and
/// the backward product stores `(g·W₂) ⊙ GELU′(z)`), so neither needs a pass over memory of its own.
///
/// Piecewise polynomials rather than the eight-lane `VectorMath.gelu`'s rational: GELU(x) =
/// ½x + |x|·F(|x|) and GELU′(x) = ½ + sign(x)·D(|x|), F and D degree-4 polynomials on 32
/// intervals of |x| < 8 fetched by a register permute (`runner_gelu16`, `runner_gelu_derivative16`;
/// tables from tools/fit_gelu_tables.py). 16 vector operations each, where the rational takes 21
/// for GELU and 38 for GELU′ (a reciprocal, an exponential): at a product depth of 64 or 96 that
/// would be a fifth to a third of the kernel. Errors: GELU ≤ 1e-7·max(1, |x|),
/// GELU′ ≤ 2e-7 absolute; results differ from the eight-lane ones by about as much.
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
