#if arch(x86_64)
import CKernelIntrinsics

/// Register-blocked products on AVX-512 processors, with sixteen-lane vectors: the small
/// matrices of window attention (`[64, 32]·[32, 64]`, `[64, 64]·[64, 32]`, thousands per step;
/// the eight-lane `SmallGemm`'s job elsewhere) and tall, thin products (`[32768, 384]·[384, 96]`)
/// whose op(A) it reads in place instead of packing it as a BLAS does.
///
/// This module alone is compiled for AVX-512 (see `Package.swift`); the engine calls it only after
/// checking that the processor has AVX-512, so the rest of `runner` still runs on AVX2 machines.
///
/// An 8 × 32 tile of `C` lives in sixteen accumulators; each step of the depth loop broadcasts
/// eight elements of `op(A)` (any layout, straight from memory) against one row of a 32-wide panel
/// of `op(B)`. The panel is used in place when `op(B)` is row-major with a full panel and a row
/// stride that does not crowd the L1 sets, otherwise read from the caller's packed copy (`[k, 32]`,
/// zero-padded; the engine packs it), so nothing is allocated. Partial column tiles are stored
/// through masked moves.
public enum SmallGemmAVX512 {
    /// What is applied to each result of `C` in the tile's registers, before its only store, so
    /// that an activation and its gradient need no pass over memory of their own. Pointers
    /// address the same element as `C`'s (same layout, row stride `ldc`).
    public enum StoreActivation {
        case identity
        /// Stores `gelu(z)` in `C`, and `z` itself in `preActivation` when given (training keeps
        /// it for the backward pass; evaluation does not write it).
        case gelu(preActivation: UnsafeMutablePointer<Float>?)
        /// Multiplies each result by `GELU′(z)`, `z` read from `preActivation`: the gradient of
        /// GELU's input from that of its output.
        case geluDerivative(preActivation: UnsafePointer<Float>)

        /// The same activation for the results `offset` floats on from `C`'s first.
        @inline(__always)
        func advanced(by offset: Int) -> StoreActivation {
            switch self {
            case .identity: .identity
            case .gelu(let pre): .gelu(preActivation: pre.map { $0 + offset })
            case .geluDerivative(let pre): .geluDerivative(preActivation: pre + offset)
            }
        }
    }

    /// Rows of `C` per register tile.
    public static let tileRows = 8
    /// Columns of `C` per register tile (two sixteen-lane vectors).
    public static let tileColumns = 32

    /// Floats of packed panels ``multiply(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:packedPanels:)``
    /// takes for an `op(B)` of `[k, n]`.
    public static func scratchCount(n: Int, k: Int) -> Int {
        max(1, k * ((n + tileColumns - 1) / tileColumns) * tileColumns)
    }

    /// Whether the 32-column panel of `op(B)` with `columns` columns is read where it lies
    /// (row-major, full, and with a row stride `ldb` that spreads its rows over the L1 cache's
    /// sets); the caller packs every other panel.
    public static func usesPanelInPlace(transposeB: Bool, columns: Int, ldb: Int) -> Bool {
        // Rows a multiple of 4 × 64 bytes apart share a quarter of the 64 sets or less: a deep
        // panel then evicts itself (stage-3 `[1568, 1024]·[1024, 256]` backward, ldb = 1024:
        // 82% of the square rate in place, 92% packed).
        !transposeB && columns == tileColumns && (ldb * MemoryLayout<Float>.stride) % 256 != 0
    }

    /// `C = alpha · op(A) · op(B) + beta · C` for row-major `op(A)` `[m, k]`, `op(B)` `[k, n]`,
    /// `C` `[m, n]` with row strides `lda`, `ldb`, `ldc`, on one thread. Panel `i` of `op(B)`
    /// (columns `32i ..< 32i + 32`) is read in place when ``usesPanelInPlace(transposeB:columns:ldb:)``,
    /// else from `packedPanels + i·k·32`, where the caller packed it k-major and zero-padded
    /// (``scratchCount(n:k:)`` floats in all). With `beta == 0`, `C` is only written (it may hold NaN).
    /// `rowBias` (`[n]`), when given, is added to every row of `C` as it is stored — a linear
    /// layer's bias, without a pass of its own over `C` — and `activation` then applied to each
    /// result in registers.
    public static func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                                packedPanels: UnsafeMutablePointer<Float>, rowBias: UnsafePointer<Float>? = nil,
                                activation: StoreActivation = .identity) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            for i in 0..<m {
                for j in 0..<n { c[i * ldc + j] = (beta == 0 ? 0 : beta * c[i * ldc + j]) + (rowBias?[j] ?? 0) }
            }
            apply(activation, c: c, ldc: ldc, row: 0, column: 0, rows: m, columns: n)
            return
        }
        var inputs: UnsafePointer<Float>? = nil
        if case .geluDerivative(let pre) = activation { inputs = pre }
        let streaming = StreamedStores(c: c, ldc: ldc, m: m, n: n, beta: beta, activation: activation)
        defer { if streaming.any { runner_store_fence() } }
        // Row blocks that stay in L1/L2 against each panel in turn, so a tall op(A) (a linear
        // layer's activations) streams through memory once and is never packed.
        let panelCount = (n + tileColumns - 1) / tileColumns
        var blockStart = 0
        while blockStart < m {
            let blockEnd = min(m, blockStart + rowBlock)
            for index in 0..<panelCount {
                let column = index * tileColumns, columns = min(tileColumns, n - column)
                let inPlace = usesPanelInPlace(transposeB: transposeB, columns: columns, ldb: ldb)
                let panel = inPlace ? b + column : UnsafePointer(packedPanels + index * k * tileColumns)
                let panelStride = inPlace ? ldb : tileColumns
                // While the last panel passes over this block, the next block's rows of op(A) are
                // fetched ahead, one cache line every few depth steps: eight rows read a float at a
                // time are streams the hardware prefetchers follow too late (runner bench, one
                // thread: stage-1 fc2 32768×384·384×96 at 80–84% of the square rate without the
                // hint, 97–100% with it).
                let prefetching = !transposeA && index == panelCount - 1 && blockEnd < m
                let prefetchStep = prefetching ? (tileRows * lda + k - 1) / k : 0
                var row = blockStart
                if let inputs {
                    prefetchRows(inputs + row * ldc + column, ldc: ldc, rows: min(tileRows, blockEnd - row), columns: columns)
                }
                while row < blockEnd {
                    let rows = min(tileRows, blockEnd - row)
                    if let inputs, row + tileRows < blockEnd {
                        // The next tile's activation inputs, written long before (the forward
                        // pass): rows ldc apart that the hardware prefetchers miss. They arrive
                        // while this tile computes, ready for its epilogue.
                        prefetchRows(inputs + (row + tileRows) * ldc + column, ldc: ldc,
                                     rows: min(tileRows, blockEnd - row - tileRows), columns: columns)
                    }
                    let cTile = c + row * ldc + column, bias = rowBias.map { $0 + column }
                    let tileActivation = activation.advanced(by: row * ldc + column)
                    if transposeA {
                        // op(A)[i, p] = a[p·lda + i]: rows one float apart, depth steps of lda.
                        tile(k: k, a: a + row, rowStride: 1, depthStride: lda, rows: rows, panel: panel,
                             panelStride: panelStride, c: cTile, ldc: ldc, columns: columns, alpha: alpha, beta: beta,
                             bias: bias, activation: tileActivation, prefetch: a + row, prefetchStep: 0, streaming: streaming)
                    } else {
                        let ahead = prefetching ? a + (row + rowBlock) * lda : a + row * lda
                        tile(k: k, a: a + row * lda, rowStride: lda, depthStride: 1, rows: rows, panel: panel,
                             panelStride: panelStride, c: cTile, ldc: ldc, columns: columns, alpha: alpha, beta: beta,
                             bias: bias, activation: tileActivation, prefetch: ahead, prefetchStep: prefetchStep, streaming: streaming)
                    }
                    row += tileRows
                }
            }
            blockStart = blockEnd
        }
    }

    /// Hints the `columns` floats (at most a panel, two or three lines) of each of `rows` rows
    /// `ldc` floats apart into cache.
    @inline(__always)
    static func prefetchRows(_ first: UnsafePointer<Float>, ldc: Int, rows: Int, columns: Int) {
        for r in 0..<rows {
            runner_prefetch(first + r * ldc)
            runner_prefetch(first + r * ldc + columns - 1)
        }
    }

    /// `activation` on the `rows × columns` results of `C` (row stride `ldc`) at (`row`,
    /// `column`): a whole product OpenBLAS computed, or one of no depth. The register-blocked
    /// kernel applies it in its tiles' registers instead.
    @inline(never)
    public static func apply(_ activation: StoreActivation, c: UnsafeMutablePointer<Float>, ldc: Int,
                             row: Int, column: Int, rows: Int, columns: Int) {
        if case .identity = activation { return }
        for r in row..<(row + rows) {
            var j = column
            while j < column + columns {
                let count = min(16, column + columns - j)
                let offset = r * ldc + j
                let results = c + offset
                switch activation {
                case .identity:
                    return
                case .gelu(let pre):
                    let z = count == 16 ? runner_load16(results) : loadFirst(count, from: results)
                    if let pre {
                        if count == 16 { runner_store16(pre + offset, z) } else { storeFirst(count, of: z, to: pre + offset) }
                    }
                    if count == 16 { runner_store16(results, GELUAVX512.gelu(z)) } else { storeFirst(count, of: GELUAVX512.gelu(z), to: results) }
                case .geluDerivative(let pre):
                    if count == 16 {
                        runner_store16(results, runner_load16(results) * GELUAVX512.derivative(runner_load16(pre + offset)))
                    } else {
                        let value = loadFirst(count, from: results) * GELUAVX512.derivative(loadFirst(count, from: pre + offset))
                        storeFirst(count, of: value, to: results)
                    }
                }
                j += 16
            }
        }
    }

    /// Rows of `C` computed against every panel before moving on: 32 rows of op(A) (up to
    /// 32 × 512 floats, 64 KiB) stay in L1/L2 while the panels pass over them (16, 32, 64, 128
    /// and 256 measured; 16–64 within noise of each other).
    static let rowBlock = 32

    /// One tile of up to 8 × 32 outputs: `C[0..<rows, 0..<columns] = activation(alpha · Σ_p A[i, p] ·
    /// panel[p, j] + beta · C + bias)`, the activation's pointers addressing the tile's first
    /// result. Rows past `rows` repeat the last valid row of A and are not stored, so the
    /// loop body is always the full 8 × 32 block. Each depth step also hints the cache line at
    /// `prefetch`, then moves it on by `prefetchStep` floats (0 keeps hinting one line).
    @inline(__always)
    static func tile(k: Int, a: UnsafePointer<Float>, rowStride: Int, depthStride: Int, rows: Int,
                     panel: UnsafePointer<Float>, panelStride: Int,
                     c: UnsafeMutablePointer<Float>, ldc: Int, columns: Int, alpha: Float, beta: Float,
                     bias: UnsafePointer<Float>?, activation: StoreActivation,
                     prefetch: UnsafePointer<Float>, prefetchStep: Int, streaming: StreamedStores) {
        typealias V = SIMD16<Float>
        let last = rows - 1
        let a0 = a
        let a1 = a + min(1, last) * rowStride
        let a2 = a + min(2, last) * rowStride
        let a3 = a + min(3, last) * rowStride
        let a4 = a + min(4, last) * rowStride
        let a5 = a + min(5, last) * rowStride
        let a6 = a + min(6, last) * rowStride
        let a7 = a + min(7, last) * rowStride
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
        var offset = 0
        var b = panel
        var ahead = prefetch
        for _ in 0..<k {
            runner_prefetch(ahead)
            ahead += prefetchStep
            let b0 = runner_load16(UnsafeRawPointer(b))
            let b1 = runner_load16(UnsafeRawPointer(b + 16))
            var x = V(repeating: a0[offset])
            c00.addProduct(x, b0); c01.addProduct(x, b1)
            x = V(repeating: a1[offset])
            c10.addProduct(x, b0); c11.addProduct(x, b1)
            x = V(repeating: a2[offset])
            c20.addProduct(x, b0); c21.addProduct(x, b1)
            x = V(repeating: a3[offset])
            c30.addProduct(x, b0); c31.addProduct(x, b1)
            x = V(repeating: a4[offset])
            c40.addProduct(x, b0); c41.addProduct(x, b1)
            x = V(repeating: a5[offset])
            c50.addProduct(x, b0); c51.addProduct(x, b1)
            x = V(repeating: a6[offset])
            c60.addProduct(x, b0); c61.addProduct(x, b1)
            x = V(repeating: a7[offset])
            c70.addProduct(x, b0); c71.addProduct(x, b1)
            offset += depthStride
            b += panelStride
        }
        let store = TileStore(c: c, ldc: ldc, columns: columns, alpha: alpha, beta: beta, bias: bias, activation: activation,
                              streaming: streaming)
        storeRow(c00, c01, row: 0, store)
        if rows > 1 { storeRow(c10, c11, row: 1, store) }
        if rows > 2 { storeRow(c20, c21, row: 2, store) }
        if rows > 3 { storeRow(c30, c31, row: 3, store) }
        if rows > 4 { storeRow(c40, c41, row: 4, store) }
        if rows > 5 { storeRow(c50, c51, row: 5, store) }
        if rows > 6 { storeRow(c60, c61, row: 6, store) }
        if rows > 7 { storeRow(c70, c71, row: 7, store) }
    }

    /// Where a tile's rows go and what is done to them on the way: the tile's first result `c`
    /// (row stride `ldc`), its `columns`, `alpha`, `beta`, the bias from its first column on and
    /// the activation addressing its first result.
    struct TileStore {
        let c: UnsafeMutablePointer<Float>
        let ldc: Int, columns: Int
        let alpha: Float, beta: Float
        let bias: UnsafePointer<Float>?
        let activation: StoreActivation
        let streaming: StreamedStores
    }

    /// Which of a product's full, aligned tile rows are written with streaming stores
    /// (`vmovntps`: no read of the line first, not kept in cache). A GELU's pre-activation is read
    /// back only by the backward pass, long after, so it always streams; `C` streams when the
    /// caller's share of it is 16 MiB or more and is only written (`beta == 0`) — past what stays
    /// in a shared L3 until the next op reads it back from its first row (SwinV2-T at batch 8:
    /// stage 1's qkv, fc1 and fc2 dX). Both need 64-byte-aligned rows.
    struct StreamedStores {
        let preActivation: Bool
        let result: Bool
        var any: Bool { preActivation || result }

        init(c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, beta: Float, activation: StoreActivation) {
            let alignedRows = ldc % 16 == 0
            if alignedRows, case .gelu(let pre?) = activation {
                preActivation = Int(bitPattern: pre) % 64 == 0
            } else {
                preActivation = false
            }
            result = alignedRows && beta == 0 && m * n >= Self.streamedResultCount && Int(bitPattern: c) % 64 == 0
        }

        /// Results (16 MiB of floats) from which `C` is streamed.
        static let streamedResultCount = 1 << 22
    }

    /// Row `index` of a tile: `row[0..<columns] = activation(alpha · (low, high) + beta · row +
    /// bias)`, applied in registers, so each result is written once: a separate pass over the
    /// stored block would re-read lines whose first writes are still on their way to memory.
    @inline(__always)
    static func storeRow(_ low: SIMD16<Float>, _ high: SIMD16<Float>, row index: Int, _ store: TileStore) {
        let offset = index * store.ldc, row = store.c + offset
        let columns = store.columns, alpha = store.alpha, beta = store.beta, bias = store.bias
        let activation = store.activation
        var v0 = low, v1 = high
        if alpha != 1 {
            v0 *= alpha
            v1 *= alpha
        }
        if columns == tileColumns {
            if let bias {
                v0 += runner_load16(UnsafeRawPointer(bias))
                v1 += runner_load16(UnsafeRawPointer(bias + 16))
            }
            if beta != 0 {
                v0.addProduct(runner_load16(UnsafeRawPointer(row)), SIMD16(repeating: beta))
                v1.addProduct(runner_load16(UnsafeRawPointer(row + 16)), SIMD16(repeating: beta))
            }
            switch activation {
            case .identity:
                break
            case .gelu(let pre):
                if let pre {
                    if store.streaming.preActivation {
                        runner_stream16(pre + offset, v0)
                        runner_stream16(pre + offset + 16, v1)
                    } else {
                        runner_store16(pre + offset, v0)
                        runner_store16(pre + offset + 16, v1)
                    }
                }
                v0 = GELUAVX512.gelu(v0)
                v1 = GELUAVX512.gelu(v1)
            case .geluDerivative(let pre):
                v0 *= GELUAVX512.derivative(runner_load16(pre + offset))
                v1 *= GELUAVX512.derivative(runner_load16(pre + offset + 16))
            }
            if store.streaming.result {
                runner_stream16(row, v0)
                runner_stream16(row + 16, v1)
            } else {
                runner_store16(row, v0)
                runner_store16(row + 16, v1)
            }
        } else {
            // A partial tile (a 49-column window product leaves 17 columns): masked moves of the
            // valid lanes; nothing past `columns` is read or written.
            let low = min(columns, 16), high = columns - low
            if let bias {
                v0 += loadFirst(low, from: bias)
                v1 += loadFirst(high, from: bias + 16)
            }
            if beta != 0 {
                v0.addProduct(loadFirst(low, from: row), SIMD16(repeating: beta))
                v1.addProduct(loadFirst(high, from: row + 16), SIMD16(repeating: beta))
            }
            switch activation {
            case .identity:
                break
            case .gelu(let pre):
                if let pre {
                    storeFirst(low, of: v0, to: pre + offset)
                    storeFirst(high, of: v1, to: pre + offset + 16)
                }
                v0 = GELUAVX512.gelu(v0)
                v1 = GELUAVX512.gelu(v1)
            case .geluDerivative(let pre):
                v0 *= GELUAVX512.derivative(loadFirst(low, from: pre + offset))
                v1 *= GELUAVX512.derivative(loadFirst(high, from: pre + offset + 16))
            }
            storeFirst(low, of: v0, to: row)
            storeFirst(high, of: v1, to: row + 16)
        }
    }

    /// The first `count` (0…16) floats at `source`, the other lanes zero; nothing past them is read.
    @inline(__always)
    static func loadFirst(_ count: Int, from source: UnsafePointer<Float>) -> SIMD16<Float> {
        runner_load_first16(source, UInt32(count))
    }

    /// Writes the first `count` (0…16) lanes of `vector` to `destination`, nothing past them.
    @inline(__always)
    static func storeFirst(_ count: Int, of vector: SIMD16<Float>, to destination: UnsafeMutablePointer<Float>) {
        runner_store_first16(destination, vector, UInt32(count))
    }
}
#endif
