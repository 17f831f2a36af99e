#if arch(x86_64)
import CKernelIntrinsics

/// Products with a long depth and a small result, on AVX-512 processors: the weight gradients
/// of linear layers, `dW = dYᵀ · X` with `dY` `[tokens, out]` and `X` `[tokens, in]` — the
/// stage-1 qkv of SwinV2-T at batch 8 is `[288, 32768]·[32768, 96]`. A BLAS packs both
/// operands in full for these (each thread packing the whole of `X` again when the rows of the
/// result are split); here neither is packed: both are read in place, one depth block at a time.
///
/// A depth block of `op(B)` (64 rows of up to 96 columns, 24 KiB) stays in L1 while every 4-row
/// tile of `C` passes over it; a tile keeps 4 × 96 outputs in twenty-four sixteen-lane
/// accumulators, loading six vectors of `op(B)` and broadcasting four elements of `op(A)` per
/// depth step, and adds its block's sum into `C` at the end of the block.
public enum LongDepthGemmAVX512 {
    /// Depth steps per block: 64 rows of a 96-column `op(B)` are 24 KiB, half of L1, so the
    /// block stays there while the rows of `C` pass over it (32, 64, 96 and 128 measured).
    public static let depthBlock = 64

    /// Whether the kernel takes a result `n` columns wide: whole sixteen-lane vectors.
    public static func supports(n: Int) -> Bool {
        n > 0 && n % 16 == 0
    }

    /// `C = alpha · Aᵀ · B + beta · C` for `A` stored `[k, m]` (row stride `lda`), `B` stored
    /// `[k, n]` (row stride `ldb`), `C` `[m, n]` (row stride `ldc`), on one thread; `n` must satisfy
    /// ``supports(n:)``. With `beta == 0`, `C` is only written (it may hold NaN).
    ///
    /// `sumsOfA` (`[m]`) and `sumsOfB` (`[n]`), when given, receive the column sums of `A` and `B`
    /// over the whole depth — a linear layer's bias gradient, `Σ dY` over the tokens, taken from
    /// the blocks while the product has them in cache instead of in a pass over `dY` of its own.
    /// Each is summed per depth block, then block by block: the same result at any thread count.
    public static func multiplyTransposedA(m: Int, n: Int, k: Int, alpha: Float,
                                           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                                           sumsOfA: UnsafeMutablePointer<Float>? = nil,
                                           sumsOfB: UnsafeMutablePointer<Float>? = nil) {
        precondition(supports(n: n), "LongDepthGemmAVX512 needs whole vectors of columns, got n = \(n)")
        guard m > 0 else { return }
        sumsOfA?.update(repeating: 0, count: m)
        sumsOfB?.update(repeating: 0, count: n)
        guard k > 0 else {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        var blockStart = 0
        while blockStart < k {
            let depth = min(depthBlock, k - blockStart)
            // The first block scales what C held by beta; later blocks add to the running sum.
            let blockBeta: Float = blockStart == 0 ? beta : 1
            let aBlock = a + blockStart * lda, bBlock = b + blockStart * ldb
            var column = 0
            while column < n {
                let remaining = n - column
                let vectors = chunkVectors(remaining: remaining)
                let rowsPerTile = tileRows(vectors: vectors)
                var row = 0
                while row < m {
                    let rows = min(rowsPerTile, m - row)
                    let aTile = aBlock + row, bTile = bBlock + column, cTile = c + row * ldc + column
                    switch vectors {
                    case 6: tile(tileRows: 4, vectors: 6, depth: depth, a: aTile, lda: lda, rows: rows, b: bTile, ldb: ldb,
                                 c: cTile, ldc: ldc, alpha: alpha, beta: blockBeta)
                    case 4: tile(tileRows: 6, vectors: 4, depth: depth, a: aTile, lda: lda, rows: rows, b: bTile, ldb: ldb,
                                 c: cTile, ldc: ldc, alpha: alpha, beta: blockBeta)
                    case 2: tile(tileRows: 8, vectors: 2, depth: depth, a: aTile, lda: lda, rows: rows, b: bTile, ldb: ldb,
                                 c: cTile, ldc: ldc, alpha: alpha, beta: blockBeta)
                    default: tile(tileRows: 8, vectors: 1, depth: depth, a: aTile, lda: lda, rows: rows, b: bTile, ldb: ldb,
                                  c: cTile, ldc: ldc, alpha: alpha, beta: blockBeta)
                    }
                    row += rowsPerTile
                }
                column += vectors * 16
            }
            if let sumsOfA { addColumnSums(of: aBlock, ld: lda, rows: depth, columns: m, into: sumsOfA) }
            if let sumsOfB { addColumnSums(of: bBlock, ld: ldb, rows: depth, columns: n, into: sumsOfB) }
            blockStart += depth
        }
    }

    /// Adds the sums of the `rows` rows (`ld` floats apart) of a `columns`-wide block into `sums`:
    /// sixteen columns at a time, each summed down the block in a register first.
    static func addColumnSums(of block: UnsafePointer<Float>, ld: Int, rows: Int, columns: Int,
                              into sums: UnsafeMutablePointer<Float>) {
        var column = 0
        while column < columns {
            let count = min(16, columns - column)
            var total = SIMD16<Float>()
            var row = block + column
            if count == 16 {
                for _ in 0..<rows {
                    total += runner_load16(row)
                    row += ld
                }
                runner_store16(sums + column, runner_load16(sums + column) + total)
            } else {
                let lanes = UInt32(count)
                for _ in 0..<rows {
                    total += runner_load_first16(row, lanes)
                    row += ld
                }
                runner_store_first16(sums + column, runner_load_first16(sums + column, lanes) + total, lanes)
            }
            column += 16
        }
    }

    /// Vectors in the next column chunk of a result with `remaining` columns left: 96 columns
    /// at a time, then 64, 32, 16.
    @inline(__always)
    static func chunkVectors(remaining: Int) -> Int {
        remaining >= 96 ? 6 : remaining >= 64 ? 4 : remaining >= 32 ? 2 : 1
    }

    /// Rows of `C` that make whole register tiles for the widest column chunk of an `n`-column
    /// result: the granularity at which callers split the rows across threads.
    public static func rowGranularity(n: Int) -> Int {
        tileRows(vectors: chunkVectors(remaining: n))
    }

    /// Rows of `C` per register tile for a tile `vectors` sixteen-lane vectors wide: twenty-four
    /// accumulators (4 × 6, 6 × 4) where the width allows, sixteen or eight for the narrowest.
    @inline(__always)
    public static func tileRows(vectors: Int) -> Int {
        vectors >= 6 ? 4 : vectors >= 4 ? 6 : 8
    }

    /// One tile of up to `tileRows` × (16 · `vectors`) outputs over one depth block:
    /// `C[r, 0..<16·vectors] = alpha · Σ_p a[p·lda + r] · b[p·ldb + …] + beta · C`. Rows past
    /// `rows` repeat the last valid row of `A` and are not stored, so the loop body is always the
    /// full tile; `tileRows` (≤ 8) and `vectors` (1, 2, 4 or 6) are literals at every call, so the
    /// unused accumulators fold away. (`@_transparent`, because `@inline(__always)` left the
    /// four call sites calling one unspecialised copy with the branches in its loop.)
    @_transparent
    static func tile(tileRows: Int, vectors: Int, depth: Int, a: UnsafePointer<Float>, lda: Int, rows: Int,
                     b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                     alpha: Float, beta: Float) {
        typealias V = SIMD16<Float>
        let last = rows - 1
        let r1 = min(1, last), r2 = min(2, last), r3 = min(3, last), r4 = min(4, last), r5 = min(5, last), r6 = min(6, last), r7 = min(7, last)
        var c00 = V(), c01 = V(), c02 = V(), c03 = V(), c04 = V(), c05 = V()
        var c10 = V(), c11 = V(), c12 = V(), c13 = V(), c14 = V(), c15 = V()
        var c20 = V(), c21 = V(), c22 = V(), c23 = V(), c24 = V(), c25 = V()
        var c30 = V(), c31 = V(), c32 = V(), c33 = V(), c34 = V(), c35 = V()
        var c40 = V(), c41 = V(), c42 = V(), c43 = V(), c44 = V(), c45 = V()
        var c50 = V(), c51 = V(), c52 = V(), c53 = V(), c54 = V(), c55 = V()
        var c60 = V(), c61 = V(), c62 = V(), c63 = V(), c64 = V(), c65 = V()
        var c70 = V(), c71 = V(), c72 = V(), c73 = V(), c74 = V(), c75 = V()
        var aRow = a, bRow = UnsafeRawPointer(b)
        let bStride = ldb * MemoryLayout<Float>.stride
        // The same strip of A one block ahead: its rows are lda floats apart, a stride the
        // hardware prefetchers miss; one hint per step covers the next block's strip.
        let ahead = depthBlock * lda
        for _ in 0..<depth {
            runner_prefetch(aRow + ahead)
            let b0 = runner_load16(bRow)
            let b1 = vectors > 1 ? runner_load16(bRow + 64) : V()
            let b2 = vectors > 2 ? runner_load16(bRow + 128) : V()
            let b3 = vectors > 3 ? runner_load16(bRow + 192) : V()
            let b4 = vectors > 4 ? runner_load16(bRow + 256) : V()
            let b5 = vectors > 5 ? runner_load16(bRow + 320) : V()
            var x: V
            x = V(repeating: aRow[0])
            c00.addProduct(x, b0)
            if vectors > 1 { c01.addProduct(x, b1) }
            if vectors > 2 { c02.addProduct(x, b2); c03.addProduct(x, b3) }
            if vectors > 4 { c04.addProduct(x, b4); c05.addProduct(x, b5) }
            if tileRows > 1 {
                x = V(repeating: aRow[r1])
                c10.addProduct(x, b0)
                if vectors > 1 { c11.addProduct(x, b1) }
                if vectors > 2 { c12.addProduct(x, b2); c13.addProduct(x, b3) }
                if vectors > 4 { c14.addProduct(x, b4); c15.addProduct(x, b5) }
            }
            if tileRows > 2 {
                x = V(repeating: aRow[r2])
                c20.addProduct(x, b0)
                if vectors > 1 { c21.addProduct(x, b1) }
                if vectors > 2 { c22.addProduct(x, b2); c23.addProduct(x, b3) }
                if vectors > 4 { c24.addProduct(x, b4); c25.addProduct(x, b5) }
            }
            if tileRows > 3 {
                x = V(repeating: aRow[r3])
                c30.addProduct(x, b0)
                if vectors > 1 { c31.addProduct(x, b1) }
                if vectors > 2 { c32.addProduct(x, b2); c33.addProduct(x, b3) }
                if vectors > 4 { c34.addProduct(x, b4); c35.addProduct(x, b5) }
            }
            if tileRows > 4 {
                x = V(repeating: aRow[r4])
                c40.addProduct(x, b0)
                if vectors > 1 { c41.addProduct(x, b1) }
                if vectors > 2 { c42.addProduct(x, b2); c43.addProduct(x, b3) }
                if vectors > 4 { c44.addProduct(x, b4); c45.addProduct(x, b5) }
            }
            if tileRows > 5 {
                x = V(repeating: aRow[r5])
                c50.addProduct(x, b0)
                if vectors > 1 { c51.addProduct(x, b1) }
                if vectors > 2 { c52.addProduct(x, b2); c53.addProduct(x, b3) }
                if vectors > 4 { c54.addProduct(x, b4); c55.addProduct(x, b5) }
            }
            if tileRows > 6 {
                x = V(repeating: aRow[r6])
                c60.addProduct(x, b0)
                if vectors > 1 { c61.addProduct(x, b1) }
                if vectors > 2 { c62.addProduct(x, b2); c63.addProduct(x, b3) }
                if vectors > 4 { c64.addProduct(x, b4); c65.addProduct(x, b5) }
            }
            if tileRows > 7 {
                x = V(repeating: aRow[r7])
                c70.addProduct(x, b0)
                if vectors > 1 { c71.addProduct(x, b1) }
                if vectors > 2 { c72.addProduct(x, b2); c73.addProduct(x, b3) }
                if vectors > 4 { c74.addProduct(x, b4); c75.addProduct(x, b5) }
            }
            aRow += lda
            bRow += bStride
        }
        storeRow(vectors: vectors, c00, c01, c02, c03, c04, c05, c, alpha: alpha, beta: beta)
        if rows > 1 { storeRow(vectors: vectors, c10, c11, c12, c13, c14, c15, c + ldc, alpha: alpha, beta: beta) }
        if rows > 2 { storeRow(vectors: vectors, c20, c21, c22, c23, c24, c25, c + 2 * ldc, alpha: alpha, beta: beta) }
        if rows > 3 { storeRow(vectors: vectors, c30, c31, c32, c33, c34, c35, c + 3 * ldc, alpha: alpha, beta: beta) }
        if rows > 4 { storeRow(vectors: vectors, c40, c41, c42, c43, c44, c45, c + 4 * ldc, alpha: alpha, beta: beta) }
        if rows > 5 { storeRow(vectors: vectors, c50, c51, c52, c53, c54, c55, c + 5 * ldc, alpha: alpha, beta: beta) }
        if rows > 6 { storeRow(vectors: vectors, c60, c61, c62, c63, c64, c65, c + 6 * ldc, alpha: alpha, beta: beta) }
        if rows > 7 { storeRow(vectors: vectors, c70, c71, c72, c73, c74, c75, c + 7 * ldc, alpha: alpha, beta: beta) }
    }

    /// `row[0..<16·vectors] = alpha · (v0, v1, …) + beta · row`.
    @inline(__always)
    static func storeRow(vectors: Int, _ v0: SIMD16<Float>, _ v1: SIMD16<Float>, _ v2: SIMD16<Float>,
                         _ v3: SIMD16<Float>, _ v4: SIMD16<Float>, _ v5: SIMD16<Float>,
                         _ row: UnsafeMutablePointer<Float>, alpha: Float, beta: Float) {
        @inline(__always)
        func store(_ v: SIMD16<Float>, _ offset: Int) {
            let destination = UnsafeMutableRawPointer(row + offset)
            var value = v * alpha
            if beta != 0 {
                value.addProduct(runner_load16(destination), SIMD16(repeating: beta))
            }
            runner_store16(destination, value)
        }
        store(v0, 0)
        if vectors > 1 { store(v1, 16) }
        if vectors > 2 { store(v2, 32); store(v3, 48) }
        if vectors > 4 { store(v4, 64); store(v5, 80) }
    }
}
#endif
