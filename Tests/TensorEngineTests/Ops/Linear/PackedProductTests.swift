import Foundation
import Testing
import CKernelIntrinsics
@testable import TensorEngine

/// The packed kernels (``PackedProduct``): the bfloat16 conversion against its definition; the
/// `vdpbf16ps` kernel, through ``Gemm/multiply`` under ``ProductPrecision/bfloat16``, against a
/// double-precision product of the same operands rounded to bfloat16; and the float32 kernel
/// against the double-precision product of the operands as they are — every transpose
/// combination, sizes off the 8 × 32 tile and past each block, bias, GELU and GELU′ in the stores,
/// depth sums, the long-depth split.
@Suite struct PackedProductTests {
    // MARK: conversion

    @Test func scalarConversionRoundsToNearestEvenAndFlushesSubnormals() {
        let cases: [(UInt32, UInt16)] = [
            (0x3F80_0000, 0x3F80),  // 1
            (0x3F80_8000, 0x3F80),  // tie, even below
            (0x3F81_8000, 0x3F82),  // tie, even above
            (0x3F80_8001, 0x3F81),  // above the tie
            (0x3F80_7FFF, 0x3F80),  // below the tie
            (0xBF81_8000, 0xBF82),  // negative tie
            (0x7F7F_FFFF, 0x7F80),  // the largest float rounds to infinity
            (0x7F80_0000, 0x7F80),  // infinity
            (0xFF80_0000, 0xFF80),
            (0x7FC0_0001, 0x7FC0),  // quiet NaN stays NaN
            (0x7F80_0001, 0x7FC0),  // signalling NaN becomes quiet
            (0x0000_0001, 0x0000),  // subnormals become zeros of their sign
            (0x807F_FFFF, 0x8000),
            (0x0080_0000, 0x0080),  // the smallest normal
        ]
        for (bits, expected) in cases {
            #expect(runner_bfloat16_from_float(Float(bitPattern: bits)) == expected,
                    "0x\(String(bits, radix: 16)) → 0x\(String(runner_bfloat16_from_float(Float(bitPattern: bits)), radix: 16))")
        }
        #expect(runner_float_from_bfloat16(0x3F82) == 1.015625)
    }

    @Test(.enabled(if: ProcessorFeatures.hasBFloat16)) func vectorConversionIsTheScalarOne() {
        var generator = RandomGenerator(seed: 17)
        var values = (0..<4099).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())) }
        values += [0, -0, .infinity, -.infinity, .nan, .greatestFiniteMagnitude, .leastNonzeroMagnitude,
                   -.leastNormalMagnitude, 1.00390625, 3.0078125]
        var vector = values, scalar = values
        runner_round_to_bfloat16(&vector, vector.count, 1)
        runner_round_to_bfloat16(&scalar, scalar.count, 0)
        for i in values.indices where vector[i].bitPattern != scalar[i].bitPattern {
            Issue.record("0x\(String(values[i].bitPattern, radix: 16)): vector 0x\(String(vector[i].bitPattern, radix: 16)), scalar 0x\(String(scalar[i].bitPattern, radix: 16))")
        }
    }

    // MARK: products

    struct Case: CustomStringConvertible, Sendable {
        let m: Int, n: Int, k: Int
        var transposeA = false, transposeB = false
        var alpha: Float = 1, beta: Float = 0, ldcPadding = 0
        var bias = false, depthSums = false
        var activation: Kind = .identity
        enum Kind: Sendable { case identity, gelu, geluDerivative }
        var description: String {
            "[\(m), \(k)]·[\(k), \(n)] tA \(transposeA) tB \(transposeB) α \(alpha) β \(beta) bias \(bias) sums \(depthSums) \(activation)"
        }
    }

    static let cases: [Case] = {
        var cases: [Case] = []
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                cases.append(Case(m: 37, n: 45, k: 67, transposeA: transposeA, transposeB: transposeB))
                cases.append(Case(m: 100, n: 50, k: 901, transposeA: transposeA, transposeB: transposeB,
                                  alpha: 0.5, beta: 0.75, ldcPadding: 3))
                cases.append(Case(m: 19, n: 1_060, k: 33, transposeA: transposeA, transposeB: transposeB, beta: 1))
            }
        }
        // Long depths: split across threads, depth sums beside the weight gradient.
        cases.append(Case(m: 40, n: 33, k: 5_001, transposeA: true, depthSums: true))
        cases.append(Case(m: 130, n: 70, k: 4_800, transposeA: true, transposeB: false, beta: 0.5, depthSums: true))
        cases.append(Case(m: 200, n: 48, k: 96, transposeA: true, depthSums: true))
        // The linear layer's stores: bias, GELU (keeping the pre-activation), GELU′.
        cases.append(Case(m: 300, n: 200, k: 96, transposeB: true, bias: true))
        cases.append(Case(m: 300, n: 200, k: 96, transposeB: true, bias: true, activation: .gelu))
        cases.append(Case(m: 77, n: 130, k: 64, activation: .geluDerivative))
        cases.append(Case(m: 40, n: 33, k: 5_001, transposeA: true, bias: true, activation: .gelu))
        return cases
    }()

    static func gelu(_ x: Double) -> Double { 0.5 * x * (1 + erf(x / 2.0.squareRoot())) }
    static func geluDerivative(_ x: Double) -> Double {
        0.5 * (1 + erf(x / 2.0.squareRoot())) + x * exp(-x * x / 2) / (2 * Double.pi).squareRoot()
    }

    @Test(.enabled(if: ProcessorFeatures.hasBFloat16), arguments: cases)
    func productsAreFloat32ProductsOfRoundedOperands(_ c: Case) {
        var data = TestData(seed: UInt64(c.m * 131 + c.n * 7 + c.k))
        let a = data.normal([c.m * c.k]).scalars, b = data.normal([c.k * c.n]).scalars
        let ldc = c.n + c.ldcPadding
        let bias = data.normal([c.n]).scalars
        let pre = data.normal([c.m * ldc]).scalars
        let initial = c.beta == 0 ? [Float](repeating: .nan, count: c.m * ldc) : data.normal([c.m * ldc]).scalars
        var roundedA = a, roundedB = b
        runner_round_to_bfloat16(&roundedA, roundedA.count, 0)
        runner_round_to_bfloat16(&roundedB, roundedB.count, 0)

        var out = initial, sums = [Float](repeating: .nan, count: c.m), keptPre = [Float](repeating: .nan, count: c.m * ldc)
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in bias.withUnsafeBufferPointer { pbias in
            pre.withUnsafeBufferPointer { ppre in out.withUnsafeMutableBufferPointer { pc in
                sums.withUnsafeMutableBufferPointer { psums in keptPre.withUnsafeMutableBufferPointer { pkept in
                    let activation: Gemm.Activation = switch c.activation {
                    case .identity: .identity
                    case .gelu: .gelu(preActivation: pkept.baseAddress!)
                    case .geluDerivative: .geluDerivative(preActivation: ppre.baseAddress!)
                    }
                    ProductPrecision.run(.bfloat16) {
                        Gemm.multiply(transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, n: c.n, k: c.k,
                                      alpha: c.alpha, a: pa.baseAddress!, lda: c.transposeA ? c.m : c.k,
                                      b: pb.baseAddress!, ldb: c.transposeB ? c.k : c.n, beta: c.beta,
                                      c: pc.baseAddress!, ldc: ldc, rowBias: c.bias ? pbias.baseAddress! : nil,
                                      activation: activation, depthSumsOfA: c.depthSums ? psums.baseAddress! : nil)
                    }
                }}
            }}
        }}}

        var worst = 0.0, worstUnrounded = 0.0
        for i in 0..<c.m {
            for j in 0..<c.n {
                var sum = 0.0, magnitude = 0.0, unrounded = 0.0
                for p in 0..<c.k {
                    let ia = c.transposeA ? p * c.m + i : i * c.k + p
                    let ib = c.transposeB ? j * c.k + p : p * c.n + j
                    sum += Double(roundedA[ia]) * Double(roundedB[ib])
                    unrounded += Double(a[ia]) * Double(b[ib])
                    magnitude += abs(Double(roundedA[ia]) * Double(roundedB[ib]))
                }
                let index = i * ldc + j
                let extra = (c.bias ? Double(bias[j]) : 0) + (c.beta == 0 ? 0 : Double(c.beta) * Double(initial[index]))
                var z = Double(c.alpha) * sum + extra
                var zUnrounded = Double(c.alpha) * unrounded + extra
                // Float32 accumulation over k products (a float32 ulp times √k of the magnitude;
                // measured: at most 5% of this), plus the activation's own error.
                var tolerance = 1e-7 * (Double(c.k).squareRoot() + 4) * Double(abs(c.alpha)) * magnitude + 1e-6
                switch c.activation {
                case .identity: break
                case .gelu:
                    #expect(abs(Double(keptPre[index]) - z) <= tolerance, "pre-activation [\(i), \(j)]")
                    tolerance = tolerance * 1.2 + 1e-6 * max(1, abs(z))
                    z = Self.gelu(z); zUnrounded = Self.gelu(zUnrounded)
                case .geluDerivative:
                    let derivative = Self.geluDerivative(Double(pre[index]))
                    z *= derivative; zUnrounded *= derivative
                    tolerance = tolerance * 1.2 + 1e-6 * abs(z)
                }
                let error = abs(Double(out[index]) - z)
                worst = max(worst, error / tolerance)
                worstUnrounded = max(worstUnrounded, abs(Double(out[index]) - zUnrounded) / tolerance)
            }
            if c.ldcPadding > 0 && c.beta != 0 {
                for j in c.n..<ldc { #expect(out[i * ldc + j].bitPattern == initial[i * ldc + j].bitPattern) }
            }
        }
        #expect(worst <= 1, "worst error \(worst) of the tolerance")
        // The operands really were rounded: the float32 product of the unrounded ones is far off.
        #expect(worstUnrounded > 10, "error against unrounded operands only \(worstUnrounded) of the tolerance")
        if c.depthSums {
            for i in 0..<c.m {
                var sum = 0.0, magnitude = 0.0
                for p in 0..<c.k {
                    sum += Double(a[p * c.m + i])
                    magnitude += abs(Double(a[p * c.m + i]))
                }
                #expect(abs(Double(sums[i]) - sum) <= 1e-6 * magnitude + 1e-6, "depth sum \(i): \(sums[i]) vs \(sum)")
            }
        }
    }

    @Test(.enabled(if: ProcessorFeatures.hasAVX512), arguments: cases)
    func float32KernelIsTheProductOfTheOperands(_ c: Case) {
        var data = TestData(seed: UInt64(c.m * 131 + c.n * 7 + c.k))
        let a = data.normal([c.m * c.k]).scalars, b = data.normal([c.k * c.n]).scalars
        let ldc = c.n + c.ldcPadding
        let bias = data.normal([c.n]).scalars
        let pre = data.normal([c.m * ldc]).scalars
        let initial = c.beta == 0 ? [Float](repeating: .nan, count: c.m * ldc) : data.normal([c.m * ldc]).scalars
        var out = initial, sums = [Float](repeating: .nan, count: c.m), keptPre = [Float](repeating: .nan, count: c.m * ldc)
        var applied = false
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in bias.withUnsafeBufferPointer { pbias in
            pre.withUnsafeBufferPointer { ppre in out.withUnsafeMutableBufferPointer { pc in
                sums.withUnsafeMutableBufferPointer { psums in keptPre.withUnsafeMutableBufferPointer { pkept in
                    let activation: Gemm.Activation = switch c.activation {
                    case .identity: .identity
                    case .gelu: .gelu(preActivation: pkept.baseAddress!)
                    case .geluDerivative: .geluDerivative(preActivation: ppre.baseAddress!)
                    }
                    applied = PackedProduct.multiply(
                        bfloat16: false, transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, n: c.n, k: c.k,
                        alpha: c.alpha, a: pa.baseAddress!, lda: c.transposeA ? c.m : c.k, b: pb.baseAddress!,
                        ldb: c.transposeB ? c.k : c.n, beta: c.beta, c: pc.baseAddress!, ldc: ldc,
                        threads: ThreadPool.shared.activeThreads, rowBias: c.bias ? pbias.baseAddress! : nil,
                        activation: activation, depthSumsOfA: c.depthSums ? psums.baseAddress! : nil)
                    if !applied { activation.apply(to: pc.baseAddress!, m: c.m, n: c.n, ldc: ldc) }
                }}
            }}
        }}}
        var worst = 0.0
        for i in 0..<c.m {
            for j in 0..<c.n {
                var sum = 0.0, magnitude = 0.0
                for p in 0..<c.k {
                    let x = Double(a[c.transposeA ? p * c.m + i : i * c.k + p])
                    let y = Double(b[c.transposeB ? j * c.k + p : p * c.n + j])
                    sum += x * y
                    magnitude += abs(x * y)
                }
                let index = i * ldc + j
                var z = Double(c.alpha) * sum + (c.bias ? Double(bias[j]) : 0)
                    + (c.beta == 0 ? 0 : Double(c.beta) * Double(initial[index]))
                var tolerance = 1e-7 * (Double(c.k).squareRoot() + 4) * Double(abs(c.alpha)) * magnitude + 1e-6
                switch c.activation {
                case .identity: break
                case .gelu:
                    #expect(abs(Double(keptPre[index]) - z) <= tolerance, "pre-activation [\(i), \(j)]")
                    tolerance = tolerance * 1.2 + 1e-6 * max(1, abs(z))
                    z = Self.gelu(z)
                case .geluDerivative:
                    z *= Self.geluDerivative(Double(pre[index]))
                    tolerance = tolerance * 1.2 + 1e-6 * abs(z)
                }
                worst = max(worst, abs(Double(out[index]) - z) / tolerance)
            }
        }
        #expect(worst <= 1, "worst error \(worst) of the tolerance")
        if c.depthSums {
            for i in 0..<c.m {
                var sum = 0.0, magnitude = 0.0
                for p in 0..<c.k {
                    sum += Double(a[p * c.m + i])
                    magnitude += abs(Double(a[p * c.m + i]))
                }
                #expect(abs(Double(sums[i]) - sum) <= 1e-6 * magnitude + 1e-6, "depth sum \(i): \(sums[i]) vs \(sum)")
            }
        }
    }

    @Test func productsAreFloat32UnlessAskedForBFloat16() {
        #expect(ProductPrecision.current == .float32)
        var data = TestData(seed: 5)
        let m = 64, n = 64, k = 64
        let a = data.normal([m * k]).scalars, b = data.normal([k * n]).scalars
        var out = [Float](repeating: 0, count: m * n)
        Gemm.multiply(transposeA: false, transposeB: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &out, ldc: n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k { sum += Double(a[i * k + p]) * Double(b[p * n + j]) }
                #expect(abs(Double(out[i * n + j]) - sum) <= 1e-4)
            }
        }
    }
}
