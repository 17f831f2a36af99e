#if arch(x86_64)
import TensorEngineAVX512
#endif

/// `Aᵀ · B` over a long depth into a small result — the weight gradient of a linear layer,
/// `dW = dYᵀ · X` summed over every token of the batch (`[288, 32768]·[32768, 96]` for SwinV2-T's
/// stage-1 qkv at batch 8) — on ``LongDepthGemmAVX512``, which reads both operands in place where
/// OpenBLAS packs both in full (runner bench, two threads: the stage-1 qkv weight gradient at
/// 95–112% of the square rate instead of OpenBLAS's 78–89%).
enum LongDepthProduct {
    /// Depth at least this many times the result's larger side: shorter products (stage 3's
    /// `[1536, 2048]·[2048, 384]`) are as fast or faster in OpenBLAS.
    static let minimumDepthRatio = 4
    /// Results above this many floats (16 MiB) are left to OpenBLAS, whose packing is cheap beside
    /// their arithmetic, and so bound the scratch of the transposed path.
    static let maximumResultCount = 1 << 22

    /// `C = alpha · Aᵀ · B + beta · C` for `A` stored `[k, m]`, `B` stored `[k, n]`, `C` `[m, n]`,
    /// split across the pool, when the shape suits the kernel and the processor has AVX-512;
    /// returns `false` (and touches nothing) otherwise. `sumsOfA` (`[m]`), when given, receives
    /// the column sums of `A` over the depth (a linear layer's bias gradient beside its weight
    /// gradient), summed in the same fixed order at any thread count.
    static func multiply(m: Int, n: Int, k: Int, alpha: Float,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                         sumsOfA: UnsafeMutablePointer<Float>? = nil) -> Bool {
        #if arch(x86_64)
        guard ProcessorFeatures.hasAVX512, m > 0, n > 0, k >= minimumDepthRatio * max(m, n),
              m * n <= maximumResultCount else { return false }
        // The kernel keeps sixteen-lane vectors along the result's rows and is fastest with a
        // tall, narrow result; a wide one (a layer with more inputs than outputs) is computed
        // transposed, Cᵀ = Bᵀ · A, into scratch and transposed back.
        if n > m && LongDepthGemmAVX512.supports(n: m) {
            withUnsafeTemporaryAllocation(of: Float.self, capacity: m * n) { scratch in
                let transposed = scratch.baseAddress!
                rowsInParallel(m: n, n: m, k: k, alpha: alpha, a: b, lda: ldb, b: a, ldb: lda,
                               beta: 0, c: transposed, ldc: m, sumsOfB: sumsOfA)
                parallelForEvenly(m) { rows in
                    for i in rows {
                        let row = c + i * ldc
                        for j in 0..<n {
                            row[j] = beta == 0 ? transposed[j * m + i] : transposed[j * m + i] + beta * row[j]
                        }
                    }
                }
            }
            return true
        }
        guard LongDepthGemmAVX512.supports(n: n) else { return false }
        rowsInParallel(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                       sumsOfA: sumsOfA)
        return true
        #else
        return false
        #endif
    }

    #if arch(x86_64)
    /// The kernel split across the pool: rows of `C` in whole register tiles, and for a small
    /// result over a long depth (``splitsDepth(m:n:k:)``) also the depth, in two halves. Each
    /// share sums its own columns of `A` into `sumsOfA`; the share holding row 0 also sums `B`'s
    /// columns into `sumsOfB` (every share reads all of `B`).
    static func rowsInParallel(m: Int, n: Int, k: Int, alpha: Float,
                               a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                               beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                               sumsOfA: UnsafeMutablePointer<Float>? = nil, sumsOfB: UnsafeMutablePointer<Float>? = nil) {
        if splitsDepth(m: m, n: n, k: k) {
            depthHalvesInParallel(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                                  sumsOfA: sumsOfA, sumsOfB: sumsOfB)
            return
        }
        let tileRows = LongDepthGemmAVX512.rowGranularity(n: n)
        let tiles = (m + tileRows - 1) / tileRows
        func rows(_ start: Int, _ end: Int) {
            LongDepthGemmAVX512.multiplyTransposedA(m: end - start, n: n, k: k, alpha: alpha, a: a + start, lda: lda,
                                                    b: b, ldb: ldb, beta: beta, c: c + start * ldc, ldc: ldc,
                                                    sumsOfA: sumsOfA.map { $0 + start }, sumsOfB: start == 0 ? sumsOfB : nil)
        }
        if ThreadPool.shared.activeThreads <= 1 || tiles < 2 {
            rows(0, m)
        } else {
            parallelForEvenly(tiles) { block in
                rows(block.lowerBound * tileRows, min(m, block.upperBound * tileRows))
            }
        }
    }

    /// Whether the depth is split in two halves: a result of at most 2¹⁷ floats (SwinV2's and
    /// Twins' stage-1 weight gradients, `[256, 64]` over 8192 tokens in the Fashion-MNIST net)
    /// over at least 2048 steps. Split by rows alone, every thread streams all of `B` and a
    /// strided half of each row of `A`; by depth, each streams its own half of both, whole rows,
    /// which is the faster of the two for these small results. Decided by the shape alone, so
    /// the sums, and so the results, do not depend on the thread count.
    static func splitsDepth(m: Int, n: Int, k: Int) -> Bool {
        k >= 2048 && m * n <= 1 << 17
    }

    /// ``rowsInParallel`` over two halves of the depth (whole depth blocks each), each into a
    /// partial result of its own, rows shared among the threads a half gets; then
    /// `C = beta · C + first + second` and the sums likewise, in that order.
    private static func depthHalvesInParallel(m: Int, n: Int, k: Int, alpha: Float,
                                              a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                              beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                                              sumsOfA: UnsafeMutablePointer<Float>?, sumsOfB: UnsafeMutablePointer<Float>?) {
        let blockDepth = LongDepthGemmAVX512.depthBlock
        let firstDepth = ((k + blockDepth - 1) / blockDepth + 1) / 2 * blockDepth
        let tileRows = LongDepthGemmAVX512.rowGranularity(n: n)
        let tiles = (m + tileRows - 1) / tileRows
        let resultCount = m * n, sumsCount = m + n
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * (resultCount + sumsCount)) { buffer in
            let partials = buffer.baseAddress!, partialSums = partials + 2 * resultCount
            // Which rows a thread takes changes no sum: each element adds up its half in the same order.
            let rowGroups = max(1, min(tiles, ThreadPool.shared.activeThreads / 2))
            parallelForEvenly(2 * rowGroups) { tasks in
                for task in tasks {
                    let half = task / rowGroups, group = task % rowGroups
                    let depthStart = half * firstDepth, depth = half == 0 ? firstDepth : k - firstDepth
                    let start = tiles * group / rowGroups * tileRows
                    let end = min(m, tiles * (group + 1) / rowGroups * tileRows)
                    guard start < end else { continue }
                    let sums = partialSums + half * sumsCount
                    LongDepthGemmAVX512.multiplyTransposedA(m: end - start, n: n, k: depth, alpha: alpha,
                                                            a: a + depthStart * lda + start, lda: lda,
                                                            b: b + depthStart * ldb, ldb: ldb, beta: 0,
                                                            c: partials + half * resultCount + start * n, ldc: n,
                                                            sumsOfA: sumsOfA == nil ? nil : sums + start,
                                                            sumsOfB: sumsOfB != nil && start == 0 ? sums + m : nil)
                }
            }
            let first = UnsafePointer(partials), second = UnsafePointer(partials + resultCount)
            parallelForEvenly(m) { rows in
                for i in rows {
                    let row = c + i * ldc, p = first + i * n, q = second + i * n
                    if beta == 0 {
                        for j in 0..<n { row[j] = p[j] + q[j] }
                    } else {
                        for j in 0..<n { row[j] = beta * row[j] + p[j] + q[j] }
                    }
                }
            }
            if let sumsOfA {
                for i in 0..<m { sumsOfA[i] = partialSums[i] + partialSums[sumsCount + i] }
            }
            if let sumsOfB {
                for j in 0..<n { sumsOfB[j] = partialSums[m + j] + partialSums[sumsCount + m + j] }
            }
        }
    }
    #endif
}
