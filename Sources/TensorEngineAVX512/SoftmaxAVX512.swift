#if arch(x86_64)
import CKernelIntrinsics

/// Softmax over short rows on AVX-512 processors: the attention probabilities of window
/// attention, `[B·windows, heads, 64, 64]` with rows of 64 keys (16 with SwinV2's 4 × 4 windows),
/// about a million rows per training step of SwinV2-T. Blocks of 16 rows (8 KiB in and out, in
/// L1) go through three short passes — the row maxima, the exponentials, the normalisation — on
/// sixteen lanes, half the instructions of the eight-lane kernel (runner bench: rows of 64 at
/// 65% of copy bandwidth instead of 44%).
///
/// Numerics match the engine's eight-lane softmax: NaN is skipped by the max but propagates
/// through the exponentials, so a row holding NaN (or whose max is ±∞) comes out all NaN, as in
/// PyTorch; exponentials of `x − max < −87.3` may flush to 0 instead of a subnormal.
public enum SoftmaxAVX512 {
    /// Whether rows of `width` floats go through this kernel: one to four whole vectors.
    public static func supports(width: Int) -> Bool {
        width > 0 && width <= 64 && width % 16 == 0
    }

    /// `y[r, :] = softmax(x[r, :])` for `rows` contiguous rows of `width` floats
    /// (``supports(width:)`` must hold), on one thread.
    public static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        typealias V = SIMD16<Float>
        let vectors = width / 16, rowBytes = width * MemoryLayout<Float>.stride
        withUnsafeTemporaryAllocation(of: Float.self, capacity: blockRows) { buffer in
            let shifts = buffer.baseAddress!
            var start = 0
            while start < rows {
                let count = min(blockRows, rows - start)
                let xBlock = UnsafeRawPointer(x + start * width), yBlock = UnsafeMutableRawPointer(y + start * width)
                // Each pass is its own small loop: the standard library lowers sixteen-lane
                // arithmetic lane by lane and leaves LLVM to re-vectorise it, which it does
                // fully only for short straight-line bodies (one exponential per step here).
                for r in 0..<count {
                    var maximum = rowMaximum(xBlock + r * rowBytes, vectors: vectors)
                    // A max of ±∞ makes the whole row NaN, as in PyTorch; NaN lanes, skipped by
                    // the max, propagate through their exponentials into the sum and do the same.
                    if !maximum.isFinite { maximum = .nan }
                    shifts[r] = maximum
                }
                for r in 0..<count {
                    let shift = V(repeating: shifts[r])
                    let rowX = xBlock + r * rowBytes, rowY = yBlock + r * rowBytes
                    for v in 0..<vectors {
                        runner_store16(rowY + 64 * v, expOfNonPositive(runner_load16(rowX + 64 * v) - shift))
                    }
                }
                for r in 0..<count {
                    let rowY = yBlock + r * rowBytes
                    var sum = runner_load16(rowY)
                    for v in 1..<vectors { sum += runner_load16(rowY + 64 * v) }
                    let scale = V(repeating: 1 / horizontalSum(sum))
                    for v in 0..<vectors {
                        runner_store16(rowY + 64 * v, runner_load16(rowY + 64 * v) * scale)
                    }
                }
                start += count
            }
        }
    }

    /// Rows per pass: 16 rows of 64 floats are 4 KiB of input and 4 KiB of output, in L1 from
    /// the first pass to the last.
    static let blockRows = 16

    /// The largest float of a row of `vectors` vectors, NaN skipped (−∞ if all are NaN).
    @inline(__always)
    static func rowMaximum(_ row: UnsafeRawPointer, vectors: Int) -> Float {
        var m = runner_load16(row)
        for v in 1..<vectors { m = larger(m, runner_load16(row + 64 * v)) }
        return horizontalMaximum(m)
    }

    // `replacing(with:where:)` is lowered lane by lane through mask registers in this AVX-512
    // module, and `pointwiseMax` stays an out-of-line call on 128-bit pieces (each four to eight
    // times slower than this whole kernel); the selections below are bit operations on the
    // comparison's lanes instead, which LLVM turns into `vmaxps`.

    /// `yes` where `mask` is set, `no` elsewhere.
    @inline(__always)
    static func select<V: SIMD>(_ yes: V, where mask: SIMDMask<V.MaskStorage>, else no: V) -> V where V.Scalar == Float {
        let y = unsafeBitCast(yes, to: V.MaskStorage.self), n = unsafeBitCast(no, to: V.MaskStorage.self)
        return unsafeBitCast(n ^ ((n ^ y) & mask._storage), to: V.self)
    }

    /// The lane-wise larger of `a` and `b`, keeping `a` where `b` is NaN.
    @inline(__always)
    static func larger(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        select(b, where: b .> a, else: a)
    }

    /// The largest lane, NaN lanes skipped unless every lane is NaN.
    @inline(__always)
    static func horizontalMaximum(_ v: SIMD16<Float>) -> Float {
        let low8 = v.lowHalf, high8 = v.highHalf
        let eight = select(high8, where: high8 .> low8, else: low8)
        let low4 = eight.lowHalf, high4 = eight.highHalf
        let four = select(high4, where: high4 .> low4, else: low4)
        let two = Swift.max(four[0], four[2]), other = Swift.max(four[1], four[3])
        return Swift.max(two, other)
    }

    /// The sum of the lanes, pairwise.
    @inline(__always)
    static func horizontalSum(_ v: SIMD16<Float>) -> Float {
        let eight = v.lowHalf + v.highHalf
        let four = eight.lowHalf + eight.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }

    /// eᵈ for d ≤ 0, lane by lane: the engine's `VectorMath.expOfNonPositive` on sixteen lanes
    /// (`runner_exp_nonpositive16`: same reduction and degree-4 minimax polynomial, relative error
    /// ≤ 2.5e-7); −∞ gives 0, positive NaN stays NaN.
    @inline(__always)
    static func expOfNonPositive(_ d: SIMD16<Float>) -> SIMD16<Float> {
        runner_exp_nonpositive16(d)
    }
}
#endif
