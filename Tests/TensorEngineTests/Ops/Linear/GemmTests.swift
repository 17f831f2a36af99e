import Foundation
import Testing
@testable import TensorEngine

/// `Gemm.batched` on small products (the register-blocked kernel: sixteen lanes on AVX-512
/// processors, eight elsewhere) and large ones (OpenBLAS), against a naive double-precision
/// product, for every transpose combination and sizes that are not multiples of the 6 × 16 or
/// 8 × 32 tiles. The eight-lane kernel is also called directly, so an AVX-512 machine tests both.
@Suite struct GemmTests {
    struct Case: CustomStringConvertible, Sendable {
        let batch: Int, m: Int, n: Int, k: Int
        var description: String { "\(batch)×[\(m), \(k)]·[\(k), \(n)]" }
    }

    static let cases: [Case] = [
        Case(batch: 3, m: 1, n: 1, k: 1),
        Case(batch: 2, m: 7, n: 13, k: 5),
        Case(batch: 5, m: 64, n: 64, k: 32),
        Case(batch: 4, m: 64, n: 32, k: 64),
        Case(batch: 3, m: 13, n: 17, k: 33),
        Case(batch: 2, m: 6, n: 16, k: 1),
        Case(batch: 2, m: 100, n: 37, k: 128),
        Case(batch: 2, m: 5, n: 128, k: 3),
        Case(batch: 3, m: 49, n: 49, k: 32),    // Twins' 7×7 windows
        Case(batch: 2, m: 17, n: 33, k: 7),
        Case(batch: 2, m: 150, n: 130, k: 20),  // beyond the small kernel: OpenBLAS
    ]

    /// `C[b] = alpha · op(A[b]) · op(B[b]) + beta · C[b]` in double precision, with each operand
    /// stored as the caller stores it (`[k, m]` when A is transposed, `[n, k]` when B is).
    static func reference(_ c: Case, transposeA: Bool, transposeB: Bool, alpha: Float, beta: Float,
                          a: [Float], b: [Float], cInitial: [Float], ldc: Int) -> [Float] {
        var result = cInitial
        for batch in 0..<c.batch {
            let aBase = batch * c.m * c.k, bBase = batch * c.k * c.n, cBase = batch * c.m * ldc
            for i in 0..<c.m {
                for j in 0..<c.n {
                    var sum = 0.0
                    for p in 0..<c.k {
                        let x = transposeA ? a[aBase + p * c.m + i] : a[aBase + i * c.k + p]
                        let y = transposeB ? b[bBase + j * c.k + p] : b[bBase + p * c.n + j]
                        sum += Double(x) * Double(y)
                    }
                    let index = cBase + i * ldc + j
                    let previous = beta == 0 ? 0 : Double(beta) * Double(cInitial[index])
                    result[index] = Float(Double(alpha) * sum + previous)
                }
            }
        }
        return result
    }

    static func run(_ c: Case, transposeA: Bool, transposeB: Bool, alpha: Float, beta: Float, ldcPadding: Int,
                    eightLaneKernel: Bool = false) {
        var data = TestData(seed: UInt64(c.m * 31 + c.n * 7 + c.k))
        let a = data.normal([c.batch * c.m * c.k]).scalars
        let b = data.normal([c.batch * c.k * c.n]).scalars
        let ldc = c.n + ldcPadding
        // With beta = 0 the kernel must not read C: start from NaN to prove it.
        let cInitial = beta == 0 ? [Float](repeating: .nan, count: c.batch * c.m * ldc)
                                 : data.normal([c.batch * c.m * ldc]).scalars
        var out = cInitial
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { pc in
                    if eightLaneKernel {
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: SmallGemm.scratchCount(n: c.n, k: c.k))
                        defer { scratch.deallocate() }
                        for i in 0..<c.batch {
                            SmallGemm.multiply(transposeA: transposeA, transposeB: transposeB, m: c.m, n: c.n, k: c.k,
                                               alpha: alpha, a: pa.baseAddress! + i * c.m * c.k, lda: transposeA ? c.m : c.k,
                                               b: pb.baseAddress! + i * c.k * c.n, ldb: transposeB ? c.k : c.n,
                                               beta: beta, c: pc.baseAddress! + i * c.m * ldc, ldc: ldc, scratch: scratch)
                        }
                    } else {
                        Gemm.batched(batch: c.batch, transposeA: transposeA, transposeB: transposeB,
                                     m: c.m, n: c.n, k: c.k, alpha: alpha,
                                     a: pa.baseAddress!, lda: transposeA ? c.m : c.k, strideA: c.m * c.k,
                                     b: pb.baseAddress!, ldb: transposeB ? c.k : c.n, strideB: c.k * c.n,
                                     beta: beta, c: pc.baseAddress!, ldc: ldc, strideC: c.m * ldc)
                    }
                }
            }
        }
        var expected = reference(c, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta,
                                 a: a, b: b, cInitial: cInitial, ldc: ldc)
        // Padding columns of C are left alone; compare them as they were.
        if ldcPadding > 0 {
            for row in 0..<(c.batch * c.m) {
                for j in c.n..<ldc {
                    expected[row * ldc + j] = 0
                    out[row * ldc + j] = 0
                }
            }
        }
        expectClose(out, expected, tolerance: 1e-5)
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func batchedMatchesNaiveProduct(transposeA: Bool, transposeB: Bool) {
        for c in Self.cases {
            Self.run(c, transposeA: transposeA, transposeB: transposeB, alpha: 1, beta: 0, ldcPadding: 0)
        }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func batchedScalesAndAccumulates(transposeA: Bool, transposeB: Bool) {
        for c in Self.cases {
            Self.run(c, transposeA: transposeA, transposeB: transposeB, alpha: 0.5, beta: 1.5, ldcPadding: 3)
        }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func eightLaneKernelMatchesNaiveProduct(transposeA: Bool, transposeB: Bool) {
        for c in Self.cases where SmallGemm.fits(m: c.m, n: c.n, k: c.k) {
            Self.run(c, transposeA: transposeA, transposeB: transposeB, alpha: 1, beta: 0, ldcPadding: 0, eightLaneKernel: true)
            Self.run(c, transposeA: transposeA, transposeB: transposeB, alpha: 0.5, beta: 1.5, ldcPadding: 3, eightLaneKernel: true)
        }
    }

    /// One `Gemm.multiply` against the naive product: operands stored as the transposes say,
    /// C starting as NaN when `beta` is 0 (so it must not be read), `padding` columns past `n`
    /// in C left alone, and an optional row bias added to every row.
    static func checkMultiply(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, alpha: Float = 1,
                              beta: Float = 0, padding: Int = 0, withBias: Bool = false, seed: UInt64,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        var data = TestData(seed: seed)
        let a = data.normal([m * k]).scalars, b = data.normal([k * n]).scalars
        let bias = withBias ? data.normal([n]).scalars : []
        let ldc = n + padding
        let cInitial = beta == 0 ? [Float](repeating: .nan, count: m * ldc) : data.normal([m * ldc]).scalars
        var out = cInitial
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                bias.withUnsafeBufferPointer { pbias in
                    out.withUnsafeMutableBufferPointer { pc in
                        Gemm.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                      a: pa.baseAddress!, lda: transposeA ? m : k, b: pb.baseAddress!, ldb: transposeB ? k : n,
                                      beta: beta, c: pc.baseAddress!, ldc: ldc, rowBias: withBias ? pbias.baseAddress! : nil)
                    }
                }
            }
        }
        var expected = reference(Case(batch: 1, m: m, n: n, k: k), transposeA: transposeA, transposeB: transposeB,
                                 alpha: alpha, beta: beta, a: a, b: b, cInitial: cInitial, ldc: ldc)
        for row in 0..<m {
            if withBias { for j in 0..<n { expected[row * ldc + j] += bias[j] } }
            for j in n..<ldc { expected[row * ldc + j] = 0; out[row * ldc + j] = 0 }
        }
        expectClose(out, expected, tolerance: 1e-4, sourceLocation: sourceLocation)
    }

    /// `Gemm.multiply` on tall, thin products and products of depth ≤ 256 (the sixteen-lane
    /// kernel's row-block path on AVX-512 processors, OpenBLAS elsewhere), with partial panels
    /// and tiles, both layouts of op(B) (a row-major op(B) 64 or 1024 floats wide is packed, not
    /// read in place), scaling, accumulation and a padded C.
    @Test(arguments: [false, true])
    func tallThinProductsMatchNaiveProduct(transposeB: Bool) {
        for (m, n, k) in [(200, 96, 96), (333, 37, 300), (130, 128, 17), (70, 64, 512), (90, 384, 96),
                          (150, 1000, 200), (80, 1024, 64), (100, 2048, 256), (66, 49, 40)] {
            Self.checkMultiply(m: m, n: n, k: k, transposeA: false, transposeB: transposeB, seed: UInt64(m + n + k))
            Self.checkMultiply(m: m, n: n, k: k, transposeA: false, transposeB: transposeB, alpha: 0.5, beta: 1.5,
                               padding: 5, seed: UInt64(m + n + k))
        }
    }

    /// `Gemm.multiply` on large products — SwinV2's later stages and a square one: the
    /// sixteen-lane kernel where OpenBLAS runs kernels without AVX-512 on an AVX-512 processor
    /// (`SmallGemm.takesLargeProducts`, as under `OPENBLAS_CORETYPE=Haswell`), OpenBLAS
    /// elsewhere — with partial panels and tiles, both layouts of op(B), scaling, accumulation and
    /// a padded C.
    @Test(arguments: [false, true])
    func largeProductsMatchNaiveProduct(transposeB: Bool) {
        for (m, n, k) in [(200, 192, 768), (130, 1536, 384), (97, 300, 1100), (256, 256, 600)] {
            Self.checkMultiply(m: m, n: n, k: k, transposeA: false, transposeB: transposeB, seed: UInt64(m + n + k))
            Self.checkMultiply(m: m, n: n, k: k, transposeA: false, transposeB: transposeB, alpha: 0.5, beta: 1.5,
                               padding: 3, withBias: false, seed: UInt64(m * n + k))
        }
        Self.checkMultiply(m: 150, n: 520, k: 700, transposeA: false, transposeB: transposeB, padding: 2, withBias: true, seed: 5)
    }

    /// `Gemm.multiply` on `Aᵀ · B` over a long depth (weight gradients: the long-depth kernel on
    /// AVX-512 processors, OpenBLAS elsewhere): depths that are not whole blocks, rows that are
    /// not whole tiles, every column-vector count the kernel tiles with (6, 4, 2, 1, at 4, 6 and 8
    /// rows a tile), a wide result computed transposed (`n > m`), scaling, accumulation and a
    /// padded C.
    @Test func longDepthProductsMatchNaiveProduct() {
        for (m, n, k) in [(288, 96, 4100), (30, 48, 1000), (17, 112, 700), (20, 80, 500), (96, 384, 2000),
                          (64, 40, 300), (70, 64, 1200), (64, 256, 1100), (50, 32, 900)] {
            Self.checkMultiply(m: m, n: n, k: k, transposeA: true, transposeB: false, seed: UInt64(m * 7 + n + k))
            Self.checkMultiply(m: m, n: n, k: k, transposeA: true, transposeB: false, alpha: 0.5, beta: 1.5,
                               padding: 5, seed: UInt64(m * 7 + n + k))
        }
    }

    /// The column sums of `A` over the depth that `Aᵀ · B` hands back beside the product (a linear
    /// layer's bias gradient): taken by the long-depth kernel directly (rows of C not whole
    /// vectors: 24, 17), by its transposed path (`n > m`: the sums come from the kernel's other
    /// operand), and summed separately where OpenBLAS runs the product (short depth) — each equal
    /// to a double-precision sum, the product unchanged, and the same at one thread as at two.
    @Test func depthSumsOfAComeWithTheProduct() {
        // 96×32×4100 and 40×96×4100 split their depth in halves (the second computed transposed).
        for (m, n, k) in [(96, 32, 4100), (40, 96, 4100), (24, 32, 700), (17, 112, 700), (32, 64, 1000), (64, 256, 1100), (10, 20, 30)] {
            var data = TestData(seed: UInt64(m + n * 3 + k))
            let a = data.normal([k, m]).scalars, b = data.normal([k, n]).scalars
            var expected = [Float](repeating: 0, count: m)
            for i in 0..<m {
                var sum = 0.0
                for p in 0..<k { sum += Double(a[p * m + i]) }
                expected[i] = Float(sum)
            }
            func run() -> (sums: [Float], product: [Float]) {
                var c = [Float](repeating: .nan, count: m * n), sums = [Float](repeating: .nan, count: m)
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        Gemm.multiply(transposeA: true, transposeB: false, m: m, n: n, k: k, a: a.baseAddress!, lda: m,
                                      b: b.baseAddress!, ldb: n, c: &c, ldc: n, depthSumsOfA: &sums)
                    }
                }
                return (sums, c)
            }
            let both = run()
            expectClose(both.sums, expected, tolerance: 1e-5)
            let reference = Self.reference(Case(batch: 1, m: m, n: n, k: k), transposeA: true, transposeB: false,
                                           alpha: 1, beta: 0, a: a, b: b, cInitial: [Float](repeating: 0, count: m * n), ldc: n)
            expectClose(both.product, reference, tolerance: 1e-4)
            ThreadPool.shared.setActiveThreads(1)
            let single = run()
            ThreadPool.shared.setActiveThreads(ThreadPool.shared.threadCount)
            #expect(single.sums == both.sums, "\(m)×\(n)×\(k): the sums depend on the thread count")
            if ProcessorFeatures.hasAVX512 {
                #expect(single.product == both.product, "\(m)×\(n)×\(k): the product depends on the thread count")
            } else {
                // Without AVX-512 these products go to OpenBLAS in panels of rows or columns per
                // thread, and its kernels round a panel's edge differently from its middle: the
                // same to float32 accuracy at any thread count, not bit for bit.
                expectClose(single.product, both.product, tolerance: 1e-4)
            }
        }
    }

    /// OpenBLAS products split across the pool along the larger side of C (rows or columns), and
    /// not at all when both sides are too short to share out: every shape fills all of C,
    /// including a long product with fewer than 8 rows and columns.
    @Test func threadSplitCoversEveryShape() {
        for (m, n, k, transposeA, transposeB) in [(300, 40, 600, false, false), (40, 300, 600, false, true),
                                                  (5, 6, 100_000, false, false), (7, 3, 100_000, true, true),
                                                  (600, 900, 513, true, false), (20, 20, 6000, false, false)] {
            Self.checkMultiply(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, seed: UInt64(m + n + k))
            Self.checkMultiply(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, alpha: 0.5, beta: 1.5,
                               padding: 3, seed: UInt64(m * n + k))
        }
    }

    /// A row bias (a linear layer's) lands on every row of C, on the tall-thin kernel (where it
    /// is added as C is stored, full and partial panels) and on OpenBLAS (where C is filled first).
    @Test func rowBiasIsAddedToEveryRow() {
        for (m, n, k) in [(200, 96, 96), (130, 37, 64), (70, 300, 100), (40, 300, 200), (9, 5, 3)] {
            Self.checkMultiply(m: m, n: n, k: k, transposeA: false, transposeB: true, padding: 2, withBias: true,
                               seed: UInt64(m + 3 * n + k))
        }
    }

    /// Depths up to 8 and widths up to 8 (``ThinProduct``): SwinV2's position-bias MLP
    /// (`[225, 2]·[2, 512]`, `[225, 512]·[512, 3]`) and shapes large enough to split over the pool,
    /// with a row bias, with accumulation into C, and with either layout of B.
    @Test func thinProductsMatchNaiveProduct() {
        let shapes = [(225, 512, 2, true), (225, 3, 512, true), (49, 512, 2, true), (1, 1, 1, true), (37, 19, 8, false),
                      (5000, 40, 3, false), (5000, 40, 3, true), (3000, 5, 200, true), (70, 8, 9, true), (33, 7, 1, true)]
        for (index, (m, n, k, transposeB)) in shapes.enumerated() {
            Self.checkMultiply(m: m, n: n, k: k, transposeA: false, transposeB: transposeB, withBias: true, seed: UInt64(40 + index))
            Self.checkMultiply(m: m, n: n, k: k, transposeA: false, transposeB: transposeB, alpha: 0.5, beta: 1.5, padding: 3,
                               seed: UInt64(60 + index))
        }
    }

    /// A product large enough that the register-blocked kernel streams its stores around the
    /// caches (16 MiB of `C` per thread, and a GELU's pre-activation, on 64-byte-aligned rows)
    /// writes exactly what the same product writes through the caches into buffers one float off
    /// alignment, which are never streamed; both match the naive product and GELU.
    @Test func streamedStoresWriteWhatCachedStoresWrite() {
        let m = 8192, n = 1024, k = 32
        var data = TestData(seed: 21)
        let a = data.normal([m * k]).scalars, b = data.normal([k * n]).scalars
        func run(offset: Int) -> (result: [Float], pre: [Float]) {
            let bytes = (m * n + 16) * MemoryLayout<Float>.stride
            let c = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            let pre = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            defer { c.deallocate(); pre.deallocate() }
            let cFloats = c.bindMemory(to: Float.self, capacity: m * n + 16) + offset
            let preFloats = pre.bindMemory(to: Float.self, capacity: m * n + 16) + offset
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    Gemm.multiply(transposeA: false, transposeB: false, m: m, n: n, k: k, a: pa.baseAddress!, lda: k,
                                  b: pb.baseAddress!, ldb: n, c: cFloats, ldc: n, activation: .gelu(preActivation: preFloats))
                }
            }
            return (Array(UnsafeBufferPointer(start: cFloats, count: m * n)),
                    Array(UnsafeBufferPointer(start: preFloats, count: m * n)))
        }
        let streamed = run(offset: 0), cached = run(offset: 1)
        #expect(streamed.result == cached.result)
        #expect(streamed.pre == cached.pre)
        for row in stride(from: 0, to: m, by: 509) {
            for column in stride(from: 0, to: n, by: 37) {
                var z = 0.0
                for p in 0..<k { z += Double(a[row * k + p]) * Double(b[p * n + column]) }
                let gelu = 0.5 * z * (1 + erf(z / 2.0.squareRoot()))
                #expect(abs(Double(streamed.pre[row * n + column]) - z) <= 1e-4 * max(1, abs(z)))
                #expect(abs(Double(streamed.result[row * n + column]) - gelu) <= 1e-4 * max(1, abs(gelu)))
            }
        }
    }

    /// A batch sharing one right-hand matrix (stride 0), as `matmul` passes a shared weight
    /// under a transposed left operand.
    @Test func sharedRightHandSide() {
        var data = TestData(seed: 11)
        let a = data.normal([4, 20, 9]), w = data.normal([20, 11])
        let product = a.matmul(w, transposeSelf: true)
        let aValues = a.scalars, wValues = w.scalars
        var expected = [Float](repeating: 0, count: 4 * 9 * 11)
        for batch in 0..<4 {
            for i in 0..<9 {
                for j in 0..<11 {
                    var sum = 0.0
                    for p in 0..<20 { sum += Double(aValues[(batch * 20 + p) * 9 + i]) * Double(wValues[p * 11 + j]) }
                    expected[(batch * 9 + i) * 11 + j] = Float(sum)
                }
            }
        }
        expectClose(product.scalars, expected, tolerance: 1e-5)
    }
}
