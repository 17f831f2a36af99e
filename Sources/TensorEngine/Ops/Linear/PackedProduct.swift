import CKernelIntrinsics

/// Matrix products on the packed AVX-512 kernels of `packed_gemm.c`, split across the pool: with
/// bfloat16 operands and float32 accumulation on `vdpbf16ps` (``ProductPrecision/bfloat16``), or in
/// float32 on sixteen-lane FMAs.
enum PackedProduct {
    /// Whether a product of `op(A)` `[m, k]` by `op(B)` `[k, n]` goes to a packed kernel: deep and
    /// wide enough that packing both operands pays (thinner ones stay on the other kernels).
    @inline(__always)
    static func takes(m: Int, n: Int, k: Int) -> Bool {
        k >= 32 && m >= 16 && n >= 16
    }

    /// Whether a float32 product goes to the packed kernel, on an AVX-512 processor whose OpenBLAS
    /// runs kernels without AVX-512 (``SmallGemm/takesLargeProducts``): one whose op(A) is stored
    /// transposed (a weight gradient `dYᵀ·X`, where this kernel reaches the FMA peak's 16 lanes
    /// and OpenBLAS 8), or one of depth 768 or more (SwinV2's stage-3 fc2 and stage 4, Twins'
    /// stages 3–4), which ``SmallGemm``'s register-blocked kernel does not block: its 32-column
    /// panels of op(B) are then 96 KB or more, past L1, and with few rows each thread streams all
    /// of op(B). Shallower products with op(A) in place stay on ``SmallGemm``, which reads op(A)
    /// without packing it.
    @inline(__always)
    static func takesFloat32(transposeA: Bool, m: Int, n: Int, k: Int) -> Bool {
        SmallGemm.takesLargeProducts && (transposeA || k >= 768) && takes(m: m, n: n, k: k)
    }

    /// `C = act(alpha · op(A) · op(B) + rowBias + beta · C)`, with both operands rounded to
    /// bfloat16 when `bfloat16`, float32 `C`; returns whether `activation` was applied (in the
    /// kernel's stores), else the caller applies it. Each thread takes a panel of rows (or of columns, when `C` is
    /// wider than tall) and packs its share of the split operand and all of the other into its own
    /// scratch; a small result over a long depth is split by depth instead. `depthSumsOfA` (`[m]`,
    /// only with `transposeA`) receives `Σ_p A[p, i]`, summed in float32 while op(A) is packed.
    static func multiply(bfloat16: Bool, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int,
                         rowBias: UnsafePointer<Float>?, activation: Gemm.Activation,
                         depthSumsOfA: UnsafeMutablePointer<Float>?) -> Bool {
        precondition(depthSumsOfA == nil || transposeA, "PackedProduct: depth sums of A need transposeA")
        precondition(k >= 1, "PackedProduct: a product needs a depth")
        let (kind, pre) = activation.packedEpilogue
        let kernel: Kernel = bfloat16 ? runner_bfloat16_gemm : runner_float32_gemm
        func single(_ m: Int, _ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                    _ c: UnsafeMutablePointer<Float>, _ sums: UnsafeMutablePointer<Float>?, _ offset: Int, _ column: Int) {
            kernel(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb,
                   beta, c, ldc, sums, rowBias.map { $0 + column }, kind, pre.map { $0 + offset })
        }
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        if threads > 1 && splitsDepth(m: m, n: n, k: k) {
            var beta = beta
            if let rowBias {
                Gemm.fillRows(c, ldc: ldc, m: m, n: n, with: rowBias)
                beta = 1
            }
            multiplySplittingDepth(kernel: kernel, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                   alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                                   threads: threads, depthSumsOfA: depthSumsOfA)
            return activation.isIdentity
        }
        if threads <= 1 || flops < 2e6 {
            single(m, n, a, b, c, depthSumsOfA, 0, 0)
        } else if m >= 16 * threads && (m >= n || n < 32 * threads) {
            parallelForEvenly(m / 8) { blocks in
                let start = blocks.lowerBound * 8
                let end = blocks.upperBound == m / 8 ? m : blocks.upperBound * 8
                single(end - start, n, transposeA ? a + start : a + start * lda, b, c + start * ldc,
                       depthSumsOfA.map { $0 + start }, start * ldc, 0)
            }
        } else if n >= 32 * threads {
            // Every panel packs all of op(A); the first one alone sums its depths.
            parallelForEvenly(n / 32) { blocks in
                let start = blocks.lowerBound * 32
                let end = blocks.upperBound == n / 32 ? n : blocks.upperBound * 32
                single(m, end - start, a, transposeB ? b + start * ldb : b + start, c + start,
                       start == 0 ? depthSumsOfA : nil, start, start)
            }
        } else {
            single(m, n, a, b, c, depthSumsOfA, 0, 0)
        }
        return true
    }

    /// Whether a product is a small result over a long depth (a weight gradient: depth = tokens),
    /// which the threads share by depth: split by rows, each thread would read all of the other
    /// operand from memory, and both operands stream from DRAM once per thread.
    @inline(__always)
    static func splitsDepth(m: Int, n: Int, k: Int) -> Bool {
        k >= 4096 && k >= 8 * max(m, n)
    }

    /// The product with the depth split into one even-length range per thread: the first writes
    /// `C` (with `beta`), the others a float32 partial each, added into `C` afterwards; the depth
    /// sums likewise.
    private static func multiplySplittingDepth(kernel: Kernel, transposeA: Bool, transposeB: Bool, m: Int, n: Int,
                                               k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                               beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int,
                                               depthSumsOfA: UnsafeMutablePointer<Float>?) {
        let partialCount = (threads - 1) * (m * n + m)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: partialCount) { partials in
            let partials = partials.baseAddress!
            parallelForEvenly(threads) { parts in
                for part in parts {
                    let start = k * part / threads / 2 * 2
                    let end = part == threads - 1 ? k : k * (part + 1) / threads / 2 * 2
                    let partA = transposeA ? a + start * lda : a + start
                    let partB = transposeB ? b + start : b + start * ldb
                    if part == 0 {
                        kernel(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, end - start, alpha,
                               partA, lda, partB, ldb, beta, c, ldc, depthSumsOfA, nil, Int32(RUNNER_GEMM_IDENTITY), nil)
                    } else {
                        let partial = partials + (part - 1) * (m * n + m)
                        kernel(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, end - start, alpha,
                               partA, lda, partB, ldb, 0, partial, n,
                               depthSumsOfA == nil ? nil : partial + m * n, nil, Int32(RUNNER_GEMM_IDENTITY), nil)
                    }
                }
            }
            parallelForEvenly(m) { rows in
                for part in 1..<threads {
                    let partial = partials + (part - 1) * (m * n + m)
                    for i in rows {
                        addRow(partial + i * n, into: c + i * ldc, count: n)
                    }
                    if let depthSumsOfA {
                        addRow(partial + m * n + rows.lowerBound, into: depthSumsOfA + rows.lowerBound, count: rows.count)
                    }
                }
            }
        }
    }

    /// The C entry points' type (`runner_bfloat16_gemm`, `runner_float32_gemm`).
    typealias Kernel = @convention(c) (Int32, Int32, Int, Int, Int, Float, UnsafePointer<Float>?, Int,
                                       UnsafePointer<Float>?, Int, Float, UnsafeMutablePointer<Float>?, Int,
                                       UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, Int32,
                                       UnsafeMutablePointer<Float>?) -> Void

    /// `target[0..<count] += source[0..<count]`.
    @inline(__always)
    private static func addRow(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j + 8 <= count {
            storeVector(loadVector(target + j) + loadVector(source + j), target + j)
            j += 8
        }
        while j < count {
            target[j] += source[j]
            j += 1
        }
    }
}

extension Gemm.Activation {
    /// The packed kernels' spelling of the activation: its code and the pre-activation pointer.
    var packedEpilogue: (Int32, UnsafeMutablePointer<Float>?) {
        switch self {
        case .identity: (Int32(RUNNER_GEMM_IDENTITY), nil)
        case .gelu(let pre): (Int32(RUNNER_GEMM_GELU), pre)
        case .geluDerivative(let pre): (Int32(RUNNER_GEMM_GELU_DERIVATIVE), UnsafeMutablePointer(mutating: pre))
        }
    }
}
