#if arch(x86_64)
import TensorEngineAVX512
#endif

/// Products of small matrices — window attention's `q·kᵀ` `[64, 32]·[32, 64]` and `p·v`
/// `[64, 64]·[64, 32]`, thousands per step — where a BLAS call per product spends as much time
/// on its own set-up and packing as on arithmetic. A register-blocked kernel computes 6 × 16
/// tiles of `C` in twelve eight-lane accumulators, broadcasting elements of `op(A)` straight
/// from memory (any layout) against rows of a 16-wide panel of `op(B)`. `op(B)` is used in
/// place when it is stored row-major with full panels, otherwise repacked k-major into caller
/// scratch (`[k, 16]` per panel, zero-padded), so nothing is allocated per product.
enum SmallGemm {
    /// Rows of `C` per register tile.
    static let tileRows = 6
    /// Columns of `C` per register tile (two eight-lane vectors).
    static let tileColumns = 16

    /// Whether a product is small enough for this kernel: the packed `op(B)` fits in L1/L2
    /// beside a strip of `op(A)`, and BLAS would not amortise its own packing.
    @inline(__always)
    static func fits(m: Int, n: Int, k: Int) -> Bool {
        m <= 256 && n <= 128 && k <= 128
    }

    /// Floats of scratch ``multiply(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:scratch:)``
    /// needs for an `op(B)` of `[k, n]`.
    @inline(__always)
    static func scratchCount(n: Int, k: Int) -> Int {
        max(1, k * ((n + tileColumns - 1) / tileColumns) * tileColumns)
    }

    /// Whether this processor runs the sixteen-lane variant (`TensorEngineAVX512`'s 8 × 32 tiles):
    /// AVX-512, and not turned off with `RUNNER_DISABLE_AVX512=1`.
    static var useSixteenLanes: Bool {
        #if arch(x86_64)
        ProcessorFeatures.hasAVX512
        #else
        false
        #endif
    }

    /// Whether the sixteen-lane kernel also takes the large products (`op(A)` not transposed, at
    /// least 64 rows, depth below 768: deeper ones go to ``PackedProduct``) that otherwise go to
    /// OpenBLAS: on an AVX-512 processor whose OpenBLAS runs a kernel family without AVX-512 — the environment may pin one (`OPENBLAS_CORETYPE=Haswell`),
    /// and the engine never overrides it — whose eight-lane kernels reach half the processor's
    /// peak, where this kernel reaches 70–90% of it (`runner bench`'s GEMM table: 2048³ at 69%,
    /// SwinV2's stage-2 and stage-3 MLP products at 86–92% on one thread).
    static let takesLargeProducts: Bool =
        useSixteenLanes && OpenBLASRuntime.tier(ofCore: OpenBLASRuntime.configuration.coreName) < 2

    /// Floats of scratch the sixteen-lane variant needs for an `op(B)` of `[k, n]`.
    static func wideScratchCount(n: Int, k: Int) -> Int {
        #if arch(x86_64)
        SmallGemmAVX512.scratchCount(n: n, k: k)
        #else
        scratchCount(n: n, k: k)
        #endif
    }

    /// ``multiply(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:scratch:)`` on the
    /// sixteen-lane variant when `sixteenLanes` (which needs ``useSixteenLanes`` and
    /// ``wideScratchCount(n:k:)`` floats of scratch), else on this one. `rowBias` (`[n]`, added to
    /// every row of `C`) and `activation` are for the sixteen-lane variant only.
    @inline(__always)
    static func multiply(sixteenLanes: Bool, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                         scratch: UnsafeMutablePointer<Float>, rowBias: UnsafePointer<Float>? = nil,
                         activation: Gemm.Activation = .identity) {
        #if arch(x86_64)
        if sixteenLanes {
            // The panels that cannot be used in place, packed here for the kernel.
            let width = SmallGemmAVX512.tileColumns
            for index in 0..<(n + width - 1) / width {
                let column = index * width, columns = min(width, n - column)
                if !SmallGemmAVX512.usesPanelInPlace(transposeB: transposeB, columns: columns, ldb: ldb) {
                    packPanel(transposeB: transposeB, k: k, columns: columns, b: b, ldb: ldb, column: column,
                              into: scratch + index * k * width, width: width)
                }
            }
            SmallGemmAVX512.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                     a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, packedPanels: scratch,
                                     rowBias: rowBias, activation: activation.storeActivation)
            return
        }
        #endif
        precondition(rowBias == nil && activation.isIdentity,
                     "SmallGemm: a row bias or an activation needs the sixteen-lane kernel")
        multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                 a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, scratch: scratch)
    }

    /// `C = alpha · op(A) · op(B) + beta · C` for row-major `op(A)` `[m, k]`, `op(B)` `[k, n]`,
    /// `C` `[m, n]` with row strides `lda`, `ldb`, `ldc`, on one thread. `scratch` holds at least
    /// ``scratchCount(n:k:)`` floats. With `beta == 0`, `C` is only written (it may hold NaN).
    static func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                         a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                         scratch: UnsafeMutablePointer<Float>) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        var column = 0
        while column < n {
            let columns = min(tileColumns, n - column)
            let panel: UnsafePointer<Float>, panelStride: Int
            if !transposeB && columns == tileColumns {
                panel = b + column
                panelStride = ldb
            } else {
                packPanel(transposeB: transposeB, k: k, columns: columns, b: b, ldb: ldb, column: column, into: scratch)
                panel = UnsafePointer(scratch)
                panelStride = tileColumns
            }
            var row = 0
            while row < m {
                let rows = min(tileRows, m - row)
                let cTile = c + row * ldc + column
                if transposeA {
                    // op(A)[i, p] = a[p·lda + i]: rows one float apart, depth steps of lda.
                    tile(k: k, a: a + row, rowStride: 1, depthStride: lda, rows: rows, panel: panel,
                         panelStride: panelStride, c: cTile, ldc: ldc, columns: columns, alpha: alpha, beta: beta)
                } else {
                    tile(k: k, a: a + row * lda, rowStride: lda, depthStride: 1, rows: rows, panel: panel,
                         panelStride: panelStride, c: cTile, ldc: ldc, columns: columns, alpha: alpha, beta: beta)
                }
                row += tileRows
            }
            column += tileColumns
        }
    }

    /// Copies columns `column ..< column + columns` of `op(B)` into `[k, width]` k-major order,
    /// zero-filling the lanes past `columns` (`width` is 16 here, 32 for the sixteen-lane kernel).
    @inline(__always)
    static func packPanel(transposeB: Bool, k: Int, columns: Int, b: UnsafePointer<Float>, ldb: Int,
                          column: Int, into packed: UnsafeMutablePointer<Float>, width: Int = tileColumns) {
        if columns < width {
            packed.update(repeating: 0, count: k * width)
        }
        if transposeB {
            // op(B)[p, j] = b[j·ldb + p]: each stored row is one packed column. Blocks of 4 × 4
            // are transposed in registers (four loads, four stores) where whole; the rest moves
            // one float at a time.
            var j = 0
            var blockedDepth = 0
            while j + 4 <= columns && k >= 4 {
                let s0 = b + (column + j) * ldb, s1 = s0 + ldb, s2 = s1 + ldb, s3 = s2 + ldb
                var p = 0
                while p + 4 <= k {
                    let r0 = load4(s0 + p), r1 = load4(s1 + p), r2 = load4(s2 + p), r3 = load4(s3 + p)
                    store4(SIMD4(r0[0], r1[0], r2[0], r3[0]), packed + p * width + j)
                    store4(SIMD4(r0[1], r1[1], r2[1], r3[1]), packed + (p + 1) * width + j)
                    store4(SIMD4(r0[2], r1[2], r2[2], r3[2]), packed + (p + 2) * width + j)
                    store4(SIMD4(r0[3], r1[3], r2[3], r3[3]), packed + (p + 3) * width + j)
                    p += 4
                }
                blockedDepth = p
                j += 4
            }
            // The depth tail of the blocked columns, then the columns past the last block.
            for jj in 0..<j {
                let source = b + (column + jj) * ldb
                for p in blockedDepth..<k { packed[p * width + jj] = source[p] }
            }
            for j in j..<columns {
                let source = b + (column + j) * ldb
                var p = 0
                while p + 4 <= k {
                    packed[p * width + j] = source[p]
                    packed[(p + 1) * width + j] = source[p + 1]
                    packed[(p + 2) * width + j] = source[p + 2]
                    packed[(p + 3) * width + j] = source[p + 3]
                    p += 4
                }
                while p < k {
                    packed[p * width + j] = source[p]
                    p += 1
                }
            }
        } else {
            for p in 0..<k {
                (packed + p * width).update(from: b + p * ldb + column, count: columns)
            }
        }
    }

    /// One tile of up to 6 × 16 outputs: `C[0..<rows, 0..<columns] = alpha · Σ_p A[i, p] · panel[p, j]
    /// + beta · C`. Rows past `rows` repeat the last valid row of A and are not stored, so the
    /// loop body is always the full 6 × 16 block.
    @inline(__always)
    static func tile(k: Int, a: UnsafePointer<Float>, rowStride: Int, depthStride: Int, rows: Int,
                     panel: UnsafePointer<Float>, panelStride: Int,
                     c: UnsafeMutablePointer<Float>, ldc: Int, columns: Int, alpha: Float, beta: Float) {
        let last = rows - 1
        let a0 = a
        let a1 = a + min(1, last) * rowStride
        let a2 = a + min(2, last) * rowStride
        let a3 = a + min(3, last) * rowStride
        let a4 = a + min(4, last) * rowStride
        let a5 = a + min(5, last) * rowStride
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
        var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
        var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
        var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
        var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
        var offset = 0
        var b = panel
        for _ in 0..<k {
            let b0 = UnsafeRawPointer(b).loadUnaligned(as: SIMD8<Float>.self)
            let b1 = UnsafeRawPointer(b + 8).loadUnaligned(as: SIMD8<Float>.self)
            var x = SIMD8<Float>(repeating: a0[offset])
            c00.addProduct(x, b0); c01.addProduct(x, b1)
            x = SIMD8<Float>(repeating: a1[offset])
            c10.addProduct(x, b0); c11.addProduct(x, b1)
            x = SIMD8<Float>(repeating: a2[offset])
            c20.addProduct(x, b0); c21.addProduct(x, b1)
            x = SIMD8<Float>(repeating: a3[offset])
            c30.addProduct(x, b0); c31.addProduct(x, b1)
            x = SIMD8<Float>(repeating: a4[offset])
            c40.addProduct(x, b0); c41.addProduct(x, b1)
            x = SIMD8<Float>(repeating: a5[offset])
            c50.addProduct(x, b0); c51.addProduct(x, b1)
            offset += depthStride
            b += panelStride
        }
        storeRow(c00, c01, c, columns: columns, alpha: alpha, beta: beta)
        if rows > 1 { storeRow(c10, c11, c + ldc, columns: columns, alpha: alpha, beta: beta) }
        if rows > 2 { storeRow(c20, c21, c + 2 * ldc, columns: columns, alpha: alpha, beta: beta) }
        if rows > 3 { storeRow(c30, c31, c + 3 * ldc, columns: columns, alpha: alpha, beta: beta) }
        if rows > 4 { storeRow(c40, c41, c + 4 * ldc, columns: columns, alpha: alpha, beta: beta) }
        if rows > 5 { storeRow(c50, c51, c + 5 * ldc, columns: columns, alpha: alpha, beta: beta) }
    }

    /// `row[0..<columns] = alpha · (low, high) + beta · row`.
    @inline(__always)
    static func storeRow(_ low: SIMD8<Float>, _ high: SIMD8<Float>, _ row: UnsafeMutablePointer<Float>,
                         columns: Int, alpha: Float, beta: Float) {
        var v0 = low * alpha, v1 = high * alpha
        if columns == tileColumns {
            if beta != 0 {
                v0.addProduct(UnsafeRawPointer(row).loadUnaligned(as: SIMD8<Float>.self), SIMD8(repeating: beta))
                v1.addProduct(UnsafeRawPointer(row + 8).loadUnaligned(as: SIMD8<Float>.self), SIMD8(repeating: beta))
            }
            UnsafeMutableRawPointer(row).storeBytes(of: v0, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(row + 8).storeBytes(of: v1, as: SIMD8<Float>.self)
        } else {
            for j in 0..<columns {
                let value = j < 8 ? v0[j] : v1[j - 8]
                row[j] = beta == 0 ? value : value + beta * row[j]
            }
        }
    }

    @inline(__always)
    static func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
    }

    @inline(__always)
    static func store4(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Float>.self)
    }
}
