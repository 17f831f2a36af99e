/// Products with a depth or a width of a few elements, which OpenBLAS and the register-blocked
/// kernel run at 5–11 GFLOP/s (their packing and tiles are sized for deep, wide products): SwinV2's
/// continuous position bias MLP, `[(2w−1)², 2] · [2, 512]` and `[(2w−1)², 512] · [512, heads]`,
/// on the calling thread in every block's forward and backward pass (SwinV2-T: 77 and 61 µs per
/// block, both cores waiting, for under a MFLOP each).
enum ThinProduct {
    typealias Lanes = SIMD8<Float>

    /// The deepest product ``shallow`` takes.
    static let maximumDepth = 8
    /// The widest product ``narrow`` takes.
    static let maximumWidth = 8

    /// `C = alpha · A · op(B) + beta · C (+ rowBias)` for a depth `k ≤ maximumDepth`: each row of
    /// `C` is `k` scaled rows of `op(B)` (`[k, n]`, gathered from `B [n, k]` when `transposeB`).
    static func shallow(transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, rowBias: UnsafePointer<Float>?) {
        precondition(k >= 1 && k <= maximumDepth, "ThinProduct.shallow: depth \(k) is not 1…\(maximumDepth)")
        withUnsafeTemporaryAllocation(of: Float.self, capacity: k * n) { buffer in
            // op(B) row-major, alpha folded in: k rows of n.
            let rowsOfB = buffer.baseAddress!
            for t in 0..<k {
                for j in 0..<n { rowsOfB[t * n + j] = alpha * (transposeB ? b[j * ldb + t] : b[t * ldb + j]) }
            }
            let rowsB = UnsafePointer(rowsOfB)
            parallelFor(m, grain: max(1, vectorGrain / max(1, n * k))) { rows in
                for r in rows {
                    let row = c + r * ldc, left = a + r * lda
                    var j = 0
                    while j + 8 <= n {
                        var sum = rowBias.map { RowVector.load($0 + j) } ?? Lanes()
                        if beta != 0 { sum.addProduct(Lanes(repeating: beta), RowVector.load(row + j)) }
                        for t in 0..<k { sum.addProduct(Lanes(repeating: left[t]), RowVector.load(rowsB + t * n + j)) }
                        RowVector.store(sum, row + j)
                        j += 8
                    }
                    while j < n {
                        var sum = rowBias?[j] ?? 0
                        if beta != 0 { sum += beta * row[j] }
                        for t in 0..<k { sum += left[t] * rowsB[t * n + j] }
                        row[j] = sum
                        j += 1
                    }
                }
            }
        }
    }

    /// `C = alpha · A · Bᵀ + beta · C (+ rowBias)` for `B [n, k]` with `n ≤ maximumWidth`: every
    /// element of `C` is one dot product of two contiguous rows.
    static func narrow(m: Int, n: Int, k: Int, alpha: Float,
                       a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                       beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, rowBias: UnsafePointer<Float>?) {
        precondition(n >= 1 && n <= maximumWidth, "ThinProduct.narrow: width \(n) is not 1…\(maximumWidth)")
        parallelFor(m, grain: max(1, vectorGrain / max(1, n * k))) { rows in
            for r in rows {
                let row = c + r * ldc, left = a + r * lda
                for j in 0..<n {
                    var value = alpha * RowVector.dot(left, b + j * ldb, k)
                    if beta != 0 { value += beta * row[j] }
                    if let rowBias { value += rowBias[j] }
                    row[j] = value
                }
            }
        }
    }
}
