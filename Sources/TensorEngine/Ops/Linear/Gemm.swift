import COpenBLAS

/// Matrix-multiply kernels over raw row-major buffers, on OpenBLAS at one thread with the rows
/// (or columns) of the result split across the engine's ``ThreadPool``.
public enum Gemm {
    /// `C = alpha · op(A) · op(B) + beta · C` for row-major `op(A)` `[m, k]`, `op(B)` `[k, n]`,
    /// `C` `[m, n]`, in ``ProductPrecision/current`` (bfloat16 operands where it says so and the
    /// product is not too thin for the packed kernel, else float32); `lda`, `ldb`, `ldc` are the
    /// row strides of the stored matrices. `rowBias`
    /// (`[n]`; only with `beta == 0`) is added to every row of `C`: a linear layer's bias, folded
    /// into the kernel's stores where it can be, else written into `C` first (then `beta = 1`).
    /// `activation` is applied to every result last: in the kernel's stores where the product
    /// runs on the register-blocked kernel, else in one pass over `C` after it. `depthSumsOfA`
    /// (`[m]`; only with `transposeA`), when given, receives `Σ_p A[p, i]` for every row `i` of
    /// `C` — with `A = dY`, a linear layer's bias gradient beside its weight gradient, taken by
    /// the long-depth kernel from the blocks it has in cache, else summed over `A` afterwards.
    public static func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                alpha: Float = 1,
                                a: UnsafePointer<Float>, lda: Int,
                                b: UnsafePointer<Float>, ldb: Int,
                                beta: Float = 0,
                                c: UnsafeMutablePointer<Float>, ldc: Int,
                                rowBias: UnsafePointer<Float>? = nil,
                                activation: Activation = .identity,
                                depthSumsOfA: UnsafeMutablePointer<Float>? = nil) {
        precondition(depthSumsOfA == nil || transposeA, "Gemm.multiply: depth sums of A need transposeA")
        let activated = OpProfiler.measure(.gemm) { () -> Bool in
            guard m > 0, n > 0 else {
                if let depthSumsOfA { columnSums(of: a, lda: lda, rows: k, columns: m, into: depthSumsOfA) }
                return true
            }
            precondition(rowBias == nil || beta == 0, "Gemm.multiply: a row bias needs beta = 0")
            var beta = beta
            FlopCounter.add(2 * m * n * k)
            let flops = 2.0 * Double(m) * Double(n) * Double(k)
            let threads = ThreadPool.shared.activeThreads
            if !transposeA && k <= ThinProduct.maximumDepth {
                ThinProduct.shallow(transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                                    beta: beta, c: c, ldc: ldc, rowBias: rowBias)
                return activation.isIdentity
            }
            if !transposeA && transposeB && n <= ThinProduct.maximumWidth {
                ThinProduct.narrow(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                                   beta: beta, c: c, ldc: ldc, rowBias: rowBias)
                return activation.isIdentity
            }
            if ProcessorFeatures.hasBFloat16 && ProductPrecision.current == .bfloat16
                && PackedProduct.takes(m: m, n: n, k: k) {
                return PackedProduct.multiply(bfloat16: true, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                              alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c,
                                              ldc: ldc, threads: threads, rowBias: rowBias, activation: activation,
                                              depthSumsOfA: depthSumsOfA)
            }
            if !transposeA && PackedProduct.takesFloat32(transposeA: false, m: m, n: n, k: k) {
                return PackedProduct.multiply(bfloat16: false, transposeA: false, transposeB: transposeB, m: m, n: n, k: k,
                                              alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                                              threads: threads, rowBias: rowBias, activation: activation,
                                              depthSumsOfA: depthSumsOfA)
            }
            if SmallGemm.useSixteenLanes && !transposeA && m >= 64
                && (n <= 128 && k <= 512 || n <= 2048 && k <= 256 || SmallGemm.takesLargeProducts) {
                // Every product of depth below 768 when OpenBLAS runs kernels without AVX-512
                // (``SmallGemm/takesLargeProducts``; deeper ones went to the packed kernel above).
                // Otherwise tall and thin (a linear layer with few outputs, or its input gradient), or any
                // product of depth ≤ 256: the register-blocked kernel reads op(A) in place, fetching
                // the next rows ahead, where OpenBLAS packs all of it first, which costs it 10–20%
                // on these shapes (runner bench: stage-1 fc2 32768×384·384×96 at 105–107% of the
                // square rate instead of 76–80%, the qkv input gradient 32768×288·288×96 at
                // 97–105% instead of 85–90%; two threads). Inside SwinV2-T, where the operands
                // come from memory, stage 2's 8192×192·192×768 and ·192×576 run at 93–95%
                // instead of OpenBLAS's 81–83%; from depth 512 on, OpenBLAS is faster again.
                func rows(_ start: Int, _ end: Int) {
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: SmallGemm.wideScratchCount(n: n, k: k)) { scratch in
                        SmallGemm.multiply(sixteenLanes: true, transposeA: false, transposeB: transposeB, m: end - start,
                                           n: n, k: k, alpha: alpha, a: a + start * lda, lda: lda, b: b, ldb: ldb,
                                           beta: beta, c: c + start * ldc, ldc: ldc, scratch: scratch.baseAddress!,
                                           rowBias: rowBias, activation: activation.advanced(by: start * ldc))
                    }
                }
                if threads <= 1 || flops < 2e6 || m < 16 * threads {
                    rows(0, m)
                } else {
                    parallelForEvenly(m / 8) { blocks in
                        rows(blocks.lowerBound * 8, blocks.upperBound == m / 8 ? m : blocks.upperBound * 8)
                    }
                }
                return true
            }
            if let rowBias {
                fillRows(c, ldc: ldc, m: m, n: n, with: rowBias)
                beta = 1
            }
            return general(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a,
                           lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, flops: flops, threads: threads,
                           activation: activation, depthSumsOfA: depthSumsOfA)
        }
        if !activated {
            OpProfiler.measure(.elementwise) { activation.apply(to: c, m: m, n: n, ldc: ldc) }
        }
    }

    /// The products the register-blocked kernel does not take: the long-depth kernel, the packed
    /// float32 kernel (``PackedProduct/takesFloat32(transposeA:m:n:k:)``) or OpenBLAS, split across
    /// the pool. Returns whether `activation` was applied (else the caller applies it).
    private static func general(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, flops: Double, threads: Int,
                                activation: Activation, depthSumsOfA: UnsafeMutablePointer<Float>?) -> Bool {
        if transposeA && !transposeB && LongDepthProduct.multiply(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                                                                   b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                                                                   sumsOfA: depthSumsOfA) {
            return activation.isIdentity
        }
        if PackedProduct.takesFloat32(transposeA: transposeA, m: m, n: n, k: k) {
            // The row bias is already in C (beta = 1).
            return PackedProduct.multiply(bfloat16: false, transposeA: transposeA, transposeB: transposeB, m: m, n: n,
                                          k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                                          threads: threads, rowBias: nil, activation: activation, depthSumsOfA: depthSumsOfA)
        }
        if let depthSumsOfA { columnSums(of: a, lda: lda, rows: k, columns: m, into: depthSumsOfA) }
        // Below ~2 MFLOP the fork/join costs more than it saves.
        if threads <= 1 || flops < 2e6 {
            single(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return activation.isIdentity
        }
        // Each thread packs its share of the split operand and all of the other, so the split
        // runs along the larger side of C: Twins' stage-3 weight gradient [256, 1568]·[1568, 1024]
        // ran at 72% of the square rate split by rows, 82% by columns (inside the model).
        if m >= 16 * threads && (m >= n || n < 16 * threads) {
            // Row panels of C: op(A) rows i… start at a + i·lda (or a + i when A is stored transposed).
            parallelForEvenly(m / 8) { blocks in
                let start = blocks.lowerBound * 8
                let end = blocks.upperBound == m / 8 ? m : blocks.upperBound * 8
                let aStart = transposeA ? a + start : a + start * lda
                single(transposeA, transposeB, end - start, n, k, alpha, aStart, lda, b, ldb, beta, c + start * ldc, ldc)
            }
        } else if n >= 8 * threads {
            // Column panels of C: op(B) columns j… start at b + j (or b + j·ldb when B is stored transposed).
            parallelForEvenly(n / 8) { blocks in
                let start = blocks.lowerBound * 8
                let end = blocks.upperBound == n / 8 ? n : blocks.upperBound * 8
                let bStart = transposeB ? b + start * ldb : b + start
                single(transposeA, transposeB, m, end - start, k, alpha, a, lda, bStart, ldb, beta, c + start, ldc)
            }
        } else {
            // Too few rows and columns to share out in panels of 8.
            single(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        }
        return activation.isIdentity
    }

    /// `batch` independent products with fixed element strides between consecutive matrices.
    /// Batches are spread across threads, one single-threaded GEMM each (``SmallGemm``'s
    /// register-blocked kernel when every dimension is small, OpenBLAS otherwise); a short batch
    /// of large matrices parallelises inside each product instead.
    public static func batched(batch: Int, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                               alpha: Float = 1,
                               a: UnsafePointer<Float>, lda: Int, strideA: Int,
                               b: UnsafePointer<Float>, ldb: Int, strideB: Int,
                               beta: Float = 0,
                               c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int) {
        OpProfiler.measure(.gemm) {
            guard batch > 0 else { return }
            let threads = ThreadPool.shared.activeThreads
            if batch < 2 * threads && 2.0 * Double(m * n * k) >= 4e6 {
                for i in 0..<batch {
                    multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                             a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb, beta: beta,
                             c: c + i * strideC, ldc: ldc)
                }
                return
            }
            FlopCounter.add(2 * batch * m * n * k)
            let grain = max(1, Int(2e5 / max(1.0, 2.0 * Double(m * n * k))))
            if SmallGemm.fits(m: m, n: n, k: k) {
                // Small products (window attention): the register-blocked kernel, sixteen lanes
                // wide on AVX-512 processors, one scratch panel per chunk of the batch. Products
                // at most 16 columns wide (4 × 4 windows' q·kᵀ) fill the eight-lane kernel's
                // 16-column tiles but only half of the wide kernel's 32, so they stay on eight lanes.
                let wide = SmallGemm.useSixteenLanes && n > SmallGemm.tileColumns
                let scratchCount = wide ? SmallGemm.wideScratchCount(n: n, k: k) : SmallGemm.scratchCount(n: n, k: k)
                parallelFor(batch, grain: grain) { range in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: scratchCount) { scratch in
                        for i in range {
                            SmallGemm.multiply(sixteenLanes: wide, transposeA: transposeA, transposeB: transposeB,
                                               m: m, n: n, k: k, alpha: alpha,
                                               a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb,
                                               beta: beta, c: c + i * strideC, ldc: ldc, scratch: scratch.baseAddress!)
                        }
                    }
                }
                return
            }
            parallelFor(batch, grain: grain) { range in
                for i in range {
                    single(transposeA, transposeB, m, n, k, alpha, a + i * strideA, lda, b + i * strideB, ldb,
                           beta, c + i * strideC, ldc)
                }
            }
        }
    }


    @inline(__always)
    static func single(_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                       _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                       _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha,
                    a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// `sums[j] = Σ_p a[p·lda + j]` for the `columns` columns of a `[rows, columns]` matrix, split
    /// across the pool by columns (each summed down the rows by one thread: the same result at
    /// any thread count), 64 rows at a time and then block by block, as the long-depth kernel
    /// sums them, which keeps the rounding error of long sums small.
    static func columnSums(of a: UnsafePointer<Float>, lda: Int, rows: Int, columns: Int,
                           into sums: UnsafeMutablePointer<Float>) {
        sums.update(repeating: 0, count: columns)
        parallelFor((columns + 7) / 8, grain: max(1, vectorGrain / max(1, 8 * rows))) { chunks in
            for chunk in chunks {
                let start = chunk * 8, count = Swift.min(8, columns - start)
                var total = SIMD8<Float>()
                var blockStart = 0
                while blockStart < rows {
                    var block = SIMD8<Float>()
                    for p in blockStart..<Swift.min(rows, blockStart + 64) {
                        let row = a + p * lda + start
                        block += count == 8 ? loadVector(row) : loadPartialVector(row, count: count, padding: 0)
                    }
                    total += block
                    blockStart += 64
                }
                if count == 8 { storeVector(total, sums + start) } else { storePartialVector(total, sums + start, count: count) }
            }
        }
    }

    /// Every row of `C` (`[m, n]`, row stride `ldc`) set to `values` (`[n]`), in parallel.
    static func fillRows(_ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, with values: UnsafePointer<Float>) {
        parallelFor(m, grain: max(1, vectorGrain / max(n, 1))) { range in
            for r in range {
                (c + r * ldc).update(from: values, count: n)
            }
        }
    }
}
