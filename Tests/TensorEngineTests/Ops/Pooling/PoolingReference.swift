import TensorEngine

/// Naive pooling over NCHW from the definitions, for the pooling tests.
enum PoolingReference {
    /// Applies `reduce` to the values of each window (padding cells excluded) and the window size
    /// including padding, per output element.
    static func pool(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
                     _ reduce: (_ values: [Float], _ paddedCount: Int) -> Float) -> [Float] {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let ho = (h + 2 * padding.0 - kernel.0) / stride.0 + 1, wo = (w + 2 * padding.1 - kernel.1) / stride.1 + 1
        let xs = x.scalars
        var out: [Float] = []
        for plane in 0..<(n * c) { for oy in 0..<ho { for ox in 0..<wo {
            var values: [Float] = []
            for ky in 0..<kernel.0 { for kx in 0..<kernel.1 {
                let iy = oy * stride.0 - padding.0 + ky, ix = ox * stride.1 - padding.1 + kx
                if iy >= 0 && iy < h && ix >= 0 && ix < w { values.append(xs[(plane * h + iy) * w + ix]) }
            } }
            out.append(reduce(values, kernel.0 * kernel.1))
        } } }
        return out
    }

    /// Distinct values at least 0.05 apart in a scrambled order, so that maxima are unique and
    /// stay put under finite-difference steps.
    static func distinct(_ shape: [Int]) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, values: (0..<count).map { Float(($0 * 7919) % count) * 0.05 - Float(count) * 0.025 })
    }
}
