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

    /// A case's operands (seeded by its sizes), and what a product of them left behind.
    struct Run {
        let c: Case
        let a: [Float], b: [Float], bias: [Float], pre: [Float], initial: [Float]
        var out: [Float], sums: [Float], keptPre: [Float]
        var ldc: Int { c.n + c.ldcPadding }

        init(_ c: Case) {
            self.c = c
            var data = TestData(seed: UInt64(c.m * 131 + c.n * 7 + c.k))
            a = data.normal([c.m * c.k]).scalars
            b = data.normal([c.k * c.n]).scalars
            let ldc = c.n + c.ldcPadding
            bias = data.normal([c.n]).scalars
            pre = data.normal([c.m * ldc]).scalars
            // With beta = 0 the kernel must not read C: start from NaN to prove it.
            initial = c.beta == 0 ? [Float](repeating: .nan, count: c.m * ldc) : data.normal([c.m * ldc]).scalars
            out = initial
            sums = [Float](repeating: .nan, count: c.m)
            keptPre = [Float](repeating: .nan, count: c.m * ldc)
        }

        /// Runs `product` with the case's pointers: `a`, `b`, `c`, row bias, activation, depth sums.
        mutating func run(_ product: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
                                      UnsafePointer<Float>?, Gemm.Activation, UnsafeMutablePointer<Float>?) -> Void) {
            let c = c
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in bias.withUnsafeBufferPointer { pbias in
                pre.withUnsafeBufferPointer { ppre in out.withUnsafeMutableBufferPointer { pc in
                    sums.withUnsafeMutableBufferPointer { psums in keptPre.withUnsafeMutableBufferPointer { pkept in
                        let activation: Gemm.Activation = switch c.activation {
                        case .identity: .identity
                        case .gelu: .gelu(preActivation: pkept.baseAddress!)
                        case .geluDerivative: .geluDerivative(preActivation: ppre.baseAddress!)
                        }
                        product(pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, c.bias ? pbias.baseAddress! : nil,
                                activation, c.depthSums ? psums.baseAddress! : nil)
                    }}
                }}
            }}}
        }

        /// The worst error of the results against a double-precision product of `a` and `b` (the
        /// case's operands, or them rounded), as a fraction of float32 accumulation's tolerance:
        /// a float32 ulp times √k of the products' magnitude (measured: at most 5% of it), plus the
        /// activation's own error. Also checks the kept pre-activations and the untouched padding.
        func worstError(a: [Float], b: [Float]) -> Double {
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
                        worst = max(worst, abs(Double(keptPre[index]) - z) / tolerance)
                        tolerance = tolerance * 1.2 + 1e-6 * max(1, abs(z))
                        z = PackedProductTests.gelu(z)
                    case .geluDerivative:
                        z *= PackedProductTests.geluDerivative(Double(pre[index]))
                        tolerance = tolerance * 1.2 + 1e-6 * abs(z)
                    }
                    worst = max(worst, abs(Double(out[index]) - z) / tolerance)
                }
                for j in c.n..<ldc where c.beta != 0 {
                    #expect(out[i * ldc + j].bitPattern == initial[i * ldc + j].bitPattern, "padding [\(i), \(j)] written")
                }
            }
            return worst
        }

        /// Checks the depth sums against `Σ_p A[p, i]` of the unrounded operand.
        func expectDepthSums() {
            guard c.depthSums else { return }
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

    @Test(.enabled(if: ProcessorFeatures.hasBFloat16), arguments: cases)
    func productsAreFloat32ProductsOfRoundedOperands(_ c: Case) {
        var run = Run(c)
        run.run { a, b, out, bias, activation, sums in
            ProductPrecision.run(.bfloat16) {
                Gemm.multiply(transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, n: c.n, k: c.k, alpha: c.alpha,
                              a: a, lda: c.transposeA ? c.m : c.k, b: b, ldb: c.transposeB ? c.k : c.n, beta: c.beta,
                              c: out, ldc: c.n + c.ldcPadding, rowBias: bias, activation: activation, depthSumsOfA: sums)
            }
        }
        var roundedA = run.a, roundedB = run.b
        runner_round_to_bfloat16(&roundedA, roundedA.count, 0)
        runner_round_to_bfloat16(&roundedB, roundedB.count, 0)
        let worst = run.worstError(a: roundedA, b: roundedB)
        #expect(worst <= 1, "worst error \(worst) of the tolerance")
        // The operands really were rounded: the float32 product of the unrounded ones is far off.
        let unrounded = run.worstError(a: run.a, b: run.b)
        #expect(unrounded > 10, "error against unrounded operands only \(unrounded) of the tolerance")
        run.expectDepthSums()
    }

    @Test(.enabled(if: ProcessorFeatures.hasAVX512), arguments: cases)
    func float32KernelIsTheProductOfTheOperands(_ c: Case) {
        var run = Run(c)
        run.run { a, b, out, bias, activation, sums in
            let applied = PackedProduct.multiply(
                bfloat16: false, transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, n: c.n, k: c.k,
                alpha: c.alpha, a: a, lda: c.transposeA ? c.m : c.k, b: b, ldb: c.transposeB ? c.k : c.n, beta: c.beta,
                c: out, ldc: c.n + c.ldcPadding, threads: ThreadPool.shared.activeThreads, rowBias: bias,
                activation: activation, depthSumsOfA: sums)
            if !applied { activation.apply(to: out, m: c.m, n: c.n, ldc: c.n + c.ldcPadding) }
        }
        let worst = run.worstError(a: run.a, b: run.b)
        #expect(worst <= 1, "worst error \(worst) of the tolerance")
        run.expectDepthSums()
    }

    /// Products started inside the pool's chunks run in the precision of the code that started the
    /// pool's job, whichever thread takes a chunk (a task-local value does not cross threads itself).
    @Test(.enabled(if: ProcessorFeatures.hasBFloat16)) func poolThreadsRunInTheCallersPrecision() {
        var data = TestData(seed: 11)
        let m = 64, n = 64, k = 96, chunks = 8
        let a = data.normal([m * k]).scalars, b = data.normal([k * n]).scalars
        func products(_ precision: ProductPrecision) -> [[Float]] {
            let out = UnsafeMutablePointer<Float>.allocate(capacity: chunks * m * n)
            defer { out.deallocate() }
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                ProductPrecision.run(precision) {
                    ThreadPool.shared.run(chunks: chunks) { chunk in
                        // A little work first, so that the pool's other threads take some chunks.
                        var spin = 0.0
                        for i in 0..<20_000 { spin += Double(i) }
                        precondition(spin > 0)
                        Gemm.multiply(transposeA: false, transposeB: false, m: m, n: n, k: k, a: pa.baseAddress!, lda: k,
                                      b: pb.baseAddress!, ldb: n, c: out + chunk * m * n, ldc: n)
                    }
                }
            }}
            return (0..<chunks).map { Array(UnsafeBufferPointer(start: out + $0 * m * n, count: m * n)) }
        }
        let mixed = products(.bfloat16), float32 = products(.float32)
        for chunk in 0..<chunks {
            #expect(mixed[chunk] == mixed[0], "chunk \(chunk) ran in another precision")
            #expect(float32[chunk] == float32[0])
        }
        #expect(mixed[0] != float32[0])
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
