#if arch(x86_64)
import CKernelIntrinsics

/// The arithmetic of fused attention for one head of one group of tokens (a window, or a block of
/// up to 64 queries of a global attention) on AVX-512 processors, over operands already gathered
/// into small row-major scratch buffers that stay in L1.
///
/// Shapes, with `n` queries padded to `rows` (a multiple of 8), `m ≤ 64` keys padded to `width`
/// (a multiple of 16) and head dimension `d` (16, 32, 48 or 64):
/// - `q [rows, d]` (queries already multiplied by the attention scale), `kT [d, width]`,
///   `v [width, d]`; probabilities `p [rows, width]` and the result `o [rows, d]`.
/// Padded key columns get probability 0 and padded query rows are never read back, so padding
/// only costs arithmetic: Twins' 49-token windows compute 56 × 64 scores for 49 × 49.
///
/// Every product is one shape of micro-kernel — 8 rows by 32 (or 16) columns, `c[r, :] = Σ_t
/// a(r, t) · b[t, :]` with `a` addressed through a row and a column stride — so `q·kᵀ`, `p·v`
/// and the transposed products of the backward pass (`pᵀ·dO`, `dSᵀ·q`) all run on one register tile.
public enum AttentionTileAVX512 {
    public typealias Vector = SIMD16<Float>

    /// Cache lines to hint in while the tile computes — the next tile's operand rows — a few
    /// after each register block instead of all at once, so they never take every line-fill
    /// buffer while the tile's own loads wait.
    public struct PrefetchQueue {
        var next: UnsafePointer<UnsafeRawPointer>?
        var remaining: Int
        let perBlock: Int

        /// `count` line addresses at `lines` (64-byte aligned, plus 1 for a line to be written),
        /// spread over about `blocks` register blocks.
        public init(lines: UnsafePointer<UnsafeRawPointer>, count: Int, blocks: Int) {
            next = lines
            remaining = count
            perBlock = max(1, (count + max(blocks, 1) - 1) / max(blocks, 1))
        }

        /// No lines.
        public static var none: PrefetchQueue {
            PrefetchQueue(next: nil, remaining: 0, perBlock: 1)
        }

        private init(next: UnsafePointer<UnsafeRawPointer>?, remaining: Int, perBlock: Int) {
            self.next = next
            self.remaining = remaining
            self.perBlock = perBlock
        }

        @inline(__always)
        mutating func issue() {
            guard remaining > 0, var next else { return }
            var n = min(perBlock, remaining)
            remaining -= n
            defer { self.next = next }
            while n > 0 {
                // Line addresses are 64-byte aligned; bit 0 marks a line about to be written.
                let line = next.pointee
                if Int(bitPattern: line) & 1 == 0 { runner_prefetch(line) } else { runner_prefetch_write(line - 1) }
                next += 1
                n -= 1
            }
        }

        /// Hints whatever is left.
        @inline(__always)
        public mutating func drain() {
            while remaining > 0 { issue() }
        }
    }

    /// Whether keys and head dimension fit the tile: `m ≤ 64` keys (one softmax row of up to four
    /// vectors) and `d` a multiple of 16 up to 64.
    public static func supports(keys: Int, headDimension: Int) -> Bool {
        keys >= 1 && keys <= 64 && headDimension >= 16 && headDimension <= 64 && headDimension % 16 == 0
    }

    /// `c[r, j] (+)= Σ_{t < depth} a[r·aRow + t·aColumn] · b[t·ldb + j]` for the 8 rows × 16
    /// columns at `c`; `accumulate` adds to what `c` holds.
    @inline(__always)
    static func block(a: UnsafePointer<Float>, aRow: Int, aColumn: Int, b: UnsafePointer<Float>, ldb: Int, depth: Int,
                      c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        var c0 = Vector(), c1 = Vector(), c2 = Vector(), c3 = Vector()
        var c4 = Vector(), c5 = Vector(), c6 = Vector(), c7 = Vector()
        var a0 = a, bt = UnsafeRawPointer(b)
        let step = ldb * MemoryLayout<Float>.stride
        for _ in 0..<depth {
            let bv = runner_load16(bt)
            c0 = c0.addingProduct(Vector(repeating: a0[0]), bv)
            c1 = c1.addingProduct(Vector(repeating: a0[aRow]), bv)
            c2 = c2.addingProduct(Vector(repeating: a0[2 * aRow]), bv)
            c3 = c3.addingProduct(Vector(repeating: a0[3 * aRow]), bv)
            c4 = c4.addingProduct(Vector(repeating: a0[4 * aRow]), bv)
            c5 = c5.addingProduct(Vector(repeating: a0[5 * aRow]), bv)
            c6 = c6.addingProduct(Vector(repeating: a0[6 * aRow]), bv)
            c7 = c7.addingProduct(Vector(repeating: a0[7 * aRow]), bv)
            a0 += aColumn
            bt += step
        }
        let out = UnsafeMutableRawPointer(c)
        let rowBytes = ldc * MemoryLayout<Float>.stride
        @inline(__always) func put(_ value: Vector, _ row: Int) {
            let at = out + row * rowBytes
            runner_store16(at, accumulate ? runner_load16(at) + value : value)
        }
        put(c0, 0); put(c1, 1); put(c2, 2); put(c3, 3); put(c4, 4); put(c5, 5); put(c6, 6); put(c7, 7)
    }

    /// ``block`` over 8 rows × 32 columns: two vectors per row share each broadcast of `a`, so
    /// the loop issues one FMA per load instead of eight per nine.
    @inline(__always)
    static func wideBlock(a: UnsafePointer<Float>, aRow: Int, aColumn: Int, b: UnsafePointer<Float>, ldb: Int, depth: Int,
                          c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        var l0 = Vector(), l1 = Vector(), l2 = Vector(), l3 = Vector(), l4 = Vector(), l5 = Vector(), l6 = Vector(), l7 = Vector()
        var h0 = Vector(), h1 = Vector(), h2 = Vector(), h3 = Vector(), h4 = Vector(), h5 = Vector(), h6 = Vector(), h7 = Vector()
        var a0 = a, bt = UnsafeRawPointer(b)
        let step = ldb * MemoryLayout<Float>.stride
        for _ in 0..<depth {
            let low = runner_load16(bt), high = runner_load16(bt + 64)
            var x = Vector(repeating: a0[0])
            l0 = l0.addingProduct(x, low); h0 = h0.addingProduct(x, high)
            x = Vector(repeating: a0[aRow])
            l1 = l1.addingProduct(x, low); h1 = h1.addingProduct(x, high)
            x = Vector(repeating: a0[2 * aRow])
            l2 = l2.addingProduct(x, low); h2 = h2.addingProduct(x, high)
            x = Vector(repeating: a0[3 * aRow])
            l3 = l3.addingProduct(x, low); h3 = h3.addingProduct(x, high)
            x = Vector(repeating: a0[4 * aRow])
            l4 = l4.addingProduct(x, low); h4 = h4.addingProduct(x, high)
            x = Vector(repeating: a0[5 * aRow])
            l5 = l5.addingProduct(x, low); h5 = h5.addingProduct(x, high)
            x = Vector(repeating: a0[6 * aRow])
            l6 = l6.addingProduct(x, low); h6 = h6.addingProduct(x, high)
            x = Vector(repeating: a0[7 * aRow])
            l7 = l7.addingProduct(x, low); h7 = h7.addingProduct(x, high)
            a0 += aColumn
            bt += step
        }
        let out = UnsafeMutableRawPointer(c)
        let rowBytes = ldc * MemoryLayout<Float>.stride
        @inline(__always) func put(_ low: Vector, _ high: Vector, _ row: Int) {
            let at = out + row * rowBytes
            if accumulate {
                runner_store16(at, runner_load16(at) + low)
                runner_store16(at + 64, runner_load16(at + 64) + high)
            } else {
                runner_store16(at, low)
                runner_store16(at + 64, high)
            }
        }
        put(l0, h0, 0); put(l1, h1, 1); put(l2, h2, 2); put(l3, h3, 3)
        put(l4, h4, 4); put(l5, h5, 5); put(l6, h6, 6); put(l7, h7, 7)
    }

    /// `c [rows, columns] (+)= a · b` through ``wideBlock`` and ``block``: `rows` a multiple of
    /// 8, `columns` of 16.
    @inline(__always)
    static func product(a: UnsafePointer<Float>, aRow: Int, aColumn: Int, b: UnsafePointer<Float>, ldb: Int, depth: Int,
                        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, accumulate: Bool,
                        prefetch: inout PrefetchQueue) {
        var r = 0
        while r < rows {
            var j = 0
            while j + 32 <= columns {
                wideBlock(a: a + r * aRow, aRow: aRow, aColumn: aColumn, b: b + j, ldb: ldb, depth: depth,
                          c: c + r * ldc + j, ldc: ldc, accumulate: accumulate)
                prefetch.issue()
                j += 32
            }
            if j < columns {
                block(a: a + r * aRow, aRow: aRow, aColumn: aColumn, b: b + j, ldb: ldb, depth: depth,
                      c: c + r * ldc + j, ldc: ldc, accumulate: accumulate)
                prefetch.issue()
            }
            r += 8
        }
    }

    /// Register blocks a `rows × columns` product takes (what a ``PrefetchQueue`` spreads over).
    public static func blocks(rows: Int, columns: Int) -> Int {
        (rows + 7) / 8 * ((columns + 31) / 32)
    }

    /// Forward: `p = softmax(q·kT + bias)` and `o = p·v`.
    public static func forward(q: UnsafePointer<Float>, kT: UnsafePointer<Float>, v: UnsafePointer<Float>,
                               rows: Int, keys: Int, width: Int, headDimension d: Int,
                               bias: UnsafePointer<Float>?, biasRows: Int,
                               p: UnsafeMutablePointer<Float>, o: UnsafeMutablePointer<Float>,
                               prefetch: inout PrefetchQueue) {
        probabilities(q: q, kT: kT, rows: rows, keys: keys, width: width, headDimension: d,
                      bias: bias, biasRows: biasRows, p: p, prefetch: &prefetch)
        product(a: p, aRow: width, aColumn: 1, b: v, ldb: d, depth: keys, c: o, ldc: d,
                rows: rows, columns: d, accumulate: false, prefetch: &prefetch)
        prefetch.drain()
    }

    /// `p = softmax(q·kT + bias)` over the first `keys` columns, the rest 0: the forward pass's
    /// probabilities, recomputed bit for bit by the backward pass instead of being kept (writing
    /// and re-reading them cost more memory traffic than the product and exponentials). `bias`,
    /// when given, is `[biasRows, keys]` (a position bias plus mask for these query rows).
    public static func probabilities(q: UnsafePointer<Float>, kT: UnsafePointer<Float>, rows: Int, keys: Int, width: Int,
                                     headDimension d: Int, bias: UnsafePointer<Float>?, biasRows: Int,
                                     p: UnsafeMutablePointer<Float>, prefetch: inout PrefetchQueue) {
        product(a: q, aRow: d, aColumn: 1, b: kT, ldb: width, depth: d, c: p, ldc: width,
                rows: rows, columns: width, accumulate: false, prefetch: &prefetch)
        if let bias {
            for r in 0..<biasRows {
                let row = p + r * width, add = bias + r * keys
                var j = 0
                while j + 16 <= keys {
                    runner_store16(row + j, runner_load16(row + j) + runner_load16(add + j))
                    j += 16
                }
                while j < keys { row[j] += add[j]; j += 1 }
            }
        }
        if keys < width {
            for r in 0..<rows { (p + r * width + keys).update(repeating: -.infinity, count: width - keys) }
        }
        SoftmaxAVX512.forward(p, p, rows: rows, width: width)
    }

    /// Backward for `queries ≤ rows` real queries: from `dO [rows, d]` (padded rows zero), the
    /// saved probabilities `p`, `k [width, d]` and `vT [d, width]`, writes `dQ = dS·k`
    /// (`[rows, d]`, before the attention scale) and adds `dSᵀ·q` to `dK` and `pᵀ·dO` to `dV`
    /// (both `[width, d]`), with `dS = p ⊙ (dP − rowsum(p ⊙ dP))`, `dP = dO·vT`. `scores` is
    /// `[rows, width]` scratch and holds `dS` (the logits' gradient) of the real rows afterwards.
    public static func backward(q: UnsafePointer<Float>, k: UnsafePointer<Float>, vT: UnsafePointer<Float>,
                                p: UnsafePointer<Float>, dO: UnsafePointer<Float>,
                                queries: Int, rows: Int, keys: Int, width: Int, headDimension d: Int,
                                scores: UnsafeMutablePointer<Float>, dQ: UnsafeMutablePointer<Float>,
                                dK: UnsafeMutablePointer<Float>, dV: UnsafeMutablePointer<Float>,
                                prefetch: inout PrefetchQueue) {
        product(a: dO, aRow: d, aColumn: 1, b: vT, ldb: width, depth: d, c: scores, ldc: width,
                rows: rows, columns: width, accumulate: false, prefetch: &prefetch)
        let vectors = width / 16
        for r in 0..<queries {
            let pRow = UnsafeRawPointer(p + r * width), sRow = UnsafeMutableRawPointer(scores + r * width)
            var dot = Vector()
            for v in 0..<vectors {
                dot = dot.addingProduct(runner_load16(pRow + 64 * v),
                                        runner_load16(sRow + 64 * v))
            }
            let shift = Vector(repeating: SoftmaxAVX512.horizontalSum(dot))
            for v in 0..<vectors {
                let probability = runner_load16(pRow + 64 * v)
                let gradient = runner_load16(sRow + 64 * v)
                runner_store16(sRow + 64 * v, probability * (gradient - shift))
            }
        }
        product(a: scores, aRow: width, aColumn: 1, b: k, ldb: d, depth: keys, c: dQ, ldc: d,
                rows: rows, columns: d, accumulate: false, prefetch: &prefetch)
        // Key rows past the last multiple of 8 would only add zeros.
        let keyRows = (keys + 7) / 8 * 8
        product(a: scores, aRow: 1, aColumn: width, b: q, ldb: d, depth: queries, c: dK, ldc: d,
                rows: keyRows, columns: d, accumulate: true, prefetch: &prefetch)
        product(a: p, aRow: 1, aColumn: width, b: dO, ldb: d, depth: queries, c: dV, ldc: d,
                rows: keyRows, columns: d, accumulate: true, prefetch: &prefetch)
        prefetch.drain()
    }
}
#endif
