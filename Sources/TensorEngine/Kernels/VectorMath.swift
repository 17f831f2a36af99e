/// Transcendental functions on eight floats at once, for the engine's element-wise kernels
/// (softmax, GELU, sigmoid, tanh, losses). Glibc's scalar `expf`/`erff`/`tanhf` cost several
/// nanoseconds an element here; these stay near memory bandwidth.
///
/// Accuracy, measured against double-precision references over dense grids
/// (`VectorMathTests`):
/// - ``exp(_:)``: relative error ≤ 2e-7 on [-87, 88]; 0 below about -103.9 (subnormals are
///   produced in between), +∞ above 88.72, NaN stays NaN.
/// - ``log(_:)``: absolute error ≤ 1e-7 · max(1, |log x|) for every positive normal and
///   subnormal x; log 0 = -∞, log of a negative number = NaN, log ∞ = ∞.
/// - ``erf(_:)``: absolute error ≤ 1e-7 everywhere, relative ≤ 3e-7 near 0.
/// - ``gelu(_:)``: error ≤ 2.5e-7·max(1, |x|); ``normalCDFRational(_:)``: absolute ≤ 2e-7,
///   one division and no exponential (about a third of the cost of erf).
/// - ``expOfNonPositive(_:)``: relative error ≤ 2.5e-7 for −87.3 ≤ d ≤ 0.
/// - ``normalCDF(_:)`` (Φ): absolute error ≤ 1e-7, relative ≤ 5e-6 in the lower tail.
/// - ``tanh(_:)``: relative error ≤ 3e-7; ``sigmoid(_:)``: relative error ≤ 3e-7.
///
/// Polynomial coefficients for erf and tanh come from `tools/fit_vector_math.py`; those of exp
/// and log are Cephes' `expf`/`logf`.
public enum VectorMath {
    public typealias Vector = SIMD8<Float>

    // MARK: exp

    /// eˣ, lane by lane.
    @_transparent
    public static func exp(_ x: Vector) -> Vector {
        // Keep 2ⁿ representable as a product of two normal powers of two: e⁻¹⁰⁴ already rounds
        // to 0 and e⁸⁹ to ∞, so clamping changes no result. NaN passes both comparisons untouched.
        var clamped = x.replacing(with: -104, where: x .< -104)
        clamped = clamped.replacing(with: 89, where: clamped .> 89)
        // x = n·ln2 + r with n an integer and |r| ≤ ln2/2. Adding 1.5·2²³ rounds to an integer,
        // which then also sits in the low bits of the sum.
        let roundingShift: Float = 12_582_912
        let shifted = Vector(repeating: roundingShift).addingProduct(clamped, Vector(repeating: 1.442_695_041))
        let n = shifted - roundingShift
        var r = clamped.addingProduct(n, Vector(repeating: -0.693_359_375))
        r = r.addingProduct(n, Vector(repeating: 2.121_944_4e-4))
        // e^r = 1 + r + r²·P(r) (Cephes expf).
        var p = Vector(repeating: 1.987_569_15e-4)
        p = fma(p, r, 1.398_199_950_7e-3)
        p = fma(p, r, 8.333_451_907_3e-3)
        p = fma(p, r, 4.166_579_589_4e-2)
        p = fma(p, r, 1.666_666_545_9e-1)
        p = fma(p, r, 5.000_000_120_1e-1)
        let expR = (r + 1).addingProduct(p, r * r)
        // Multiply by 2ⁿ as 2^⌊n/2⌋ · 2^(n−⌊n/2⌋) so that subnormal results round only once.
        let integerN = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- Int32(bitPattern: roundingShift.bitPattern)
        let half = integerN &>> 1
        let scale1 = unsafeBitCast((half &+ 127) &<< 23, to: Vector.self)
        let scale2 = unsafeBitCast((integerN &- half &+ 127) &<< 23, to: Vector.self)
        return expR * scale1 * scale2
    }

    // MARK: log

    /// The natural logarithm, lane by lane.
    @_transparent
    public static func log(_ x: Vector) -> Vector {
        // Subnormals: scale into the normal range first and take 23 off the exponent.
        let subnormal = x .< Float.leastNormalMagnitude
        let scaled = x.replacing(with: x * 8_388_608, where: subnormal)
        let bits = unsafeBitCast(scaled, to: SIMD8<Int32>.self)
        var exponent = toFloat((bits &>> 23) &- 126)
        exponent = exponent.replacing(with: exponent - 23, where: subnormal)
        // x = m · 2^exponent with m in [0.5, 1); move m to [√½, √2) and take 1 off.
        var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F00_0000, to: Vector.self)
        let low = m .< 0.707_106_781_186_547_524
        exponent = exponent.replacing(with: exponent - 1, where: low)
        m = m.replacing(with: m + m, where: low) - 1
        // log(1 + m) = m − m²/2 + m³·P(m) (Cephes logf).
        let z = m * m
        var p = Vector(repeating: 7.037_683_629_2e-2)
        p = fma(p, m, -1.151_461_031_0e-1)
        p = fma(p, m, 1.167_699_874_0e-1)
        p = fma(p, m, -1.242_014_084_6e-1)
        p = fma(p, m, 1.424_932_278_7e-1)
        p = fma(p, m, -1.666_805_766_5e-1)
        p = fma(p, m, 2.000_071_476_5e-1)
        p = fma(p, m, -2.499_999_399_3e-1)
        p = fma(p, m, 3.333_333_117_4e-1)
        var y = p * m * z
        y = y.addingProduct(exponent, Vector(repeating: -2.121_944_40e-4))
        y = y.addingProduct(z, Vector(repeating: -0.5))
        var result = (m + y).addingProduct(exponent, Vector(repeating: 0.693_359_375))
        result = result.replacing(with: -.infinity, where: x .== 0)
        result = result.replacing(with: .nan, where: x .< 0)
        result = result.replacing(with: x, where: (x .== .infinity) .| (x .!= x))
        return result
    }

    // MARK: erf and Φ

    /// The error function, lane by lane.
    @_transparent
    public static func erf(_ x: Vector) -> Vector {
        // Both branches for every lane and a blend: cheaper than testing lanes when inputs mix.
        let magnitude = abs(x)
        let small = x.addingProduct(x, erfSmallRemainder(x * x))
        // erf = 1 − erfc, carrying the sign of x.
        let large = copySign(1 - exp(logErfcLarge(magnitude)), of: x)
        return small.replacing(with: large, where: magnitude .> 1)
    }

    /// Φ(x) = P(Z ≤ x) for a standard normal Z, that is ½(1 + erf(x/√2)), lane by lane. Accurate
    /// in absolute terms; in the lower tail it keeps relative accuracy where ½(1 + erf) would
    /// cancel (it returns 0 below x ≈ −5.66, as Float32 `erf` does).
    @_transparent
    public static func normalCDF(_ x: Vector) -> Vector {
        let u = x * 0.707_106_781_186_547_524
        let magnitude = abs(u)
        let halfU = 0.5 * u
        let central = (0.5 + halfU).addingProduct(halfU, erfSmallRemainder(u * u))
        // ½·erfc(|u|) is the tail beyond |x|; above |u| = 4 it is below Float32's reach of 1.
        var tail = 0.5 * exp(logErfcLarge(magnitude))
        tail = tail.replacing(with: 0, where: magnitude .> 4)
        let outer = tail.replacing(with: 1 - tail, where: u .> 0)
        return central.replacing(with: outer, where: magnitude .> 1)
    }

    // MARK: GELU

    /// The exact GELU x·Φ(x) (erf form, not the tanh approximation), lane by lane, on
    /// ``normalCDFRational(_:)``: one division and no exponential, so the transformer MLPs'
    /// activation runs near memory speed. Error ≤ 2.5e-7·max(1, |x|), that is within about three
    /// ulps of x where GELU(x) ≈ x; exactly 0 below x = −5.7. NaN stays NaN.
    @_transparent
    public static func gelu(_ x: Vector) -> Vector {
        x * normalCDFRational(x)
    }

    /// Φ(x) as ½ + u·P(u²)/Q(u²) with u = x clamped to ±5.7, then clamped to [0, 1]: absolute
    /// error ≤ 2e-7 (not relative in the lower tail, unlike ``normalCDF(_:)``), exactly 0 and 1
    /// beyond ±5.7. The rational is erf's, fitted on |x/√2| ≤ 3.9 by `tools/fit_vector_math.py`;
    /// just past that range it crosses 0 and 1, where the outer clamp makes the tails exact.
    /// GELU's backward uses it too, so that forward and backward agree.
    @_transparent
    public static func normalCDFRational(_ x: Vector) -> Vector {
        var u = x.replacing(with: -5.7, where: x .< -5.7)
        u = u.replacing(with: 5.7, where: u .> 5.7)
        let s = u * u
        var p = Vector(repeating: 1.913_886_731e-02)
        p = fma(p, s, 5.249_626_764e+00)
        p = fma(p, s, 1.367_626_902e+02)
        p = fma(p, s, 3.875_538_938e+03)
        p = fma(p, s, 2.785_538_130e+04)
        p = fma(p, s, 3.326_559_070e+05)
        // Q is monic: its first step is an addition, which runs beside the multiplications.
        var q = s + 6.002_131_848e+01
        q = fma(q, s, 1.548_742_091e+03)
        q = fma(q, s, 2.366_848_680e+04)
        q = fma(q, s, 2.087_969_760e+05)
        q = fma(q, s, 8.338_447_197e+05)
        var phi = Vector(repeating: 0.5).addingProduct(u, p / q)
        phi = phi.replacing(with: 0, where: phi .< 0)
        return phi.replacing(with: 1, where: phi .> 1)
    }

    // MARK: exp of non-positive arguments

    /// eᵈ for d ≤ 0 (softmax's x − max, a Gaussian's −x²/2), lane by lane: no overflow clamp, one
    /// power-of-two scaling and a degree-5 polynomial, about two thirds of ``exp(_:)``'s work.
    /// Results below the smallest normal float (d < −87.34) may be 0 instead of subnormal; −∞ gives
    /// 0 and NaN stays NaN. Relative error ≤ 2.5e-7.
    @_transparent
    public static func expOfNonPositive(_ d: Vector) -> Vector {
        // Clamping at −88 puts n at −127 for the lowest arguments, whose 2ⁿ bit pattern is 0.
        let clamped = d.replacing(with: -88, where: d .< -88)
        let roundingShift: Float = 12_582_912
        let shifted = Vector(repeating: roundingShift).addingProduct(clamped, Vector(repeating: 1.442_695_041))
        let n = shifted - roundingShift
        var r = clamped.addingProduct(n, Vector(repeating: -0.693_359_375))
        r = r.addingProduct(n, Vector(repeating: 2.121_944_4e-4))
        // e^r = 1 + r·E(r), E of degree 4, minimax on |r| ≤ ln2/2 (relative error 9e-8 before rounding).
        var e = Vector(repeating: 8.290_305_733_7e-03)
        e = fma(e, r, 4.189_797_490_8e-02)
        e = fma(e, r, 1.666_763_722_9e-01)
        e = fma(e, r, 4.999_915_063_4e-01)
        e = fma(e, r, 9.999_997_019_8e-01)
        let expR = fma(e, r, 1)
        // 2ⁿ: the low bits of `shifted` are n + 0x4B40_0000; move n + 127 into the exponent field.
        let bits = unsafeBitCast(shifted, to: SIMD8<Int32>.self)
        return expR * unsafeBitCast((bits &+ (127 - 0x4B40_0000)) &<< 23, to: Vector.self)
    }

    /// erf(x)/x − 1 as a polynomial in x², for |x| ≤ 1 (relative error 1.2e-9 before rounding).
    /// Callers form x + x·R so that the last step rounds once at full weight.
    @_transparent @usableFromInline
    static func erfSmallRemainder(_ s: Vector) -> Vector {
        var p = Vector(repeating: 7.853_884_017e-05)
        p = fma(p, s, -8.010_201_273e-04)
        p = fma(p, s, 5.188_328_680e-03)
        p = fma(p, s, -2.685_381_286e-02)
        p = fma(p, s, 1.128_358_543e-01)
        p = fma(p, s, -3.761_262_596e-01)
        p = fma(p, s, 1.283_791_661e-01)
        return p
    }

    /// log erfc(t) for 1 ≤ t ≤ 4, t clamped to 4 (absolute error 1.2e-8 before rounding, so erfc
    /// keeps its relative accuracy through the tail).
    @_transparent @usableFromInline
    static func logErfcLarge(_ magnitude: Vector) -> Vector {
        let t = magnitude.replacing(with: 4, where: magnitude .> 4)
        var g = Vector(repeating: 1.599_815_619e-06)
        g = fma(g, t, -4.529_802_027e-05)
        g = fma(g, t, 5.902_025_150e-04)
        g = fma(g, t, -4.727_684_893e-03)
        g = fma(g, t, 2.632_751_316e-02)
        g = fma(g, t, -1.099_097_058e-01)
        g = fma(g, t, -6.320_134_401e-01)
        g = fma(g, t, -1.130_119_681e+00)
        g = fma(g, t, 2.910_222_684e-04)
        return g
    }

    // MARK: tanh and sigmoid

    /// The hyperbolic tangent, lane by lane.
    @_transparent
    public static func tanh(_ x: Vector) -> Vector {
        let magnitude = abs(x)
        // Near 0: tanh x = x + x³·T(x²), where 1 − 2/(e²ˣ + 1) would cancel.
        let s = x * x
        var p = Vector(repeating: -5.704_987_328e-03)
        p = fma(p, s, 2.063_908_800e-02)
        p = fma(p, s, -5.373_971_537e-02)
        p = fma(p, s, 1.333_144_158e-01)
        p = fma(p, s, -3.333_328_068e-01)
        let small = x.addingProduct(x * s, p)
        // Elsewhere 1 − 2/(e^{2|x|} + 1), which reaches 1 as e^{2|x|} overflows.
        let large = copySign(1 - 2 / (exp(magnitude + magnitude) + 1), of: x)
        return small.replacing(with: large, where: magnitude .> 0.625)
    }

    /// The logistic function 1/(1 + e⁻ˣ), lane by lane.
    @_transparent
    public static func sigmoid(_ x: Vector) -> Vector {
        1 / (1 + exp(-x))
    }

    // MARK: helpers

    /// |x| by clearing the sign bit.
    @_transparent
    public static func abs(_ x: Vector) -> Vector {
        unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: Vector.self)
    }

    /// `magnitude` (non-negative) with the sign of `sign`.
    @_transparent @usableFromInline
    static func copySign(_ magnitude: Vector, of sign: Vector) -> Vector {
        unsafeBitCast(unsafeBitCast(magnitude, to: SIMD8<UInt32>.self)
                      | (unsafeBitCast(sign, to: SIMD8<UInt32>.self) & 0x8000_0000), to: Vector.self)
    }

    /// a·b + c, fused.
    @_transparent @usableFromInline
    static func fma(_ a: Vector, _ b: Vector, _ c: Float) -> Vector {
        Vector(repeating: c).addingProduct(a, b)
    }

    /// Small integers (|i| < 2²²) to floats, through the 1.5·2²³ bit trick that vectorises.
    @_transparent @usableFromInline
    static func toFloat(_ i: SIMD8<Int32>) -> Vector {
        let shift: Float = 12_582_912
        return unsafeBitCast(i &+ Int32(bitPattern: shift.bitPattern), to: Vector.self) - shift
    }
}
