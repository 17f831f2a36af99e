#if arch(x86_64)
import CKernelIntrinsics

/// Layer normalisation's forward rows on sixteen lanes, for channel counts that are whole
/// vectors (SwinV2's 64 to 768, Twins' 64 to 512): the engine's eight-lane row kernel spends
/// twice the instructions on rows that sit in L1, and at 64–128 channels those instructions, not
/// memory, set its pace.
public enum LayerNormAVX512 {
    public typealias Vector = SIMD16<Float>

    /// Whether rows of `channels` floats go through ``forward``: whole vectors.
    public static func supports(channels: Int) -> Bool {
        channels > 0 && channels % 16 == 0
    }

    /// `y = (x − mean) / √(var + ε) · weight + bias` for rows `rows` of `[*, channels]`, mean and
    /// biased variance over each row (two passes over the row in L1, as the eight-lane kernel);
    /// with `residual`, `y = residual + scale · norm` with `scale = sampleScales[r / rowsPerSample]`
    /// (1 without them). Writes mean and 1/σ into `means[r]` and `inverseDeviations[r]` when given.
    public static func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, rows: Range<Int>,
                               channels c: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float,
                               means: UnsafeMutablePointer<Float>?, inverseDeviations: UnsafeMutablePointer<Float>?,
                               residual: UnsafePointer<Float>?, sampleScales: UnsafePointer<Float>?, rowsPerSample: Int) {
        let inverseCount = 1 / Float(c)
        let w = UnsafeRawPointer(weight), b = UnsafeRawPointer(bias)
        for r in rows {
            let x = UnsafeRawPointer(input + r * c), y = UnsafeMutableRawPointer(output + r * c)
            var low = Vector(), high = Vector()
            var j = 0
            while j + 32 <= c {
                low += runner_load16(x + 4 * j)
                high += runner_load16(x + 4 * j + 64)
                j += 32
            }
            if j < c { low += runner_load16(x + 4 * j) }
            let mean = SoftmaxAVX512.horizontalSum(low + high) * inverseCount
            let m = Vector(repeating: mean)
            low = Vector()
            high = Vector()
            j = 0
            while j + 32 <= c {
                let d0 = runner_load16(x + 4 * j) - m, d1 = runner_load16(x + 4 * j + 64) - m
                low = low.addingProduct(d0, d0)
                high = high.addingProduct(d1, d1)
                j += 32
            }
            if j < c {
                let d0 = runner_load16(x + 4 * j) - m
                low = low.addingProduct(d0, d0)
            }
            let variance = SoftmaxAVX512.horizontalSum(low + high) * inverseCount
            let rstd = 1 / (variance + epsilon).squareRoot()
            means?[r] = mean
            inverseDeviations?[r] = rstd
            let s = Vector(repeating: rstd)
            if let residual {
                let add = UnsafeRawPointer(residual + r * c)
                let scale = Vector(repeating: sampleScales?[r / rowsPerSample] ?? 1)
                j = 0
                while j < c {
                    let value = (runner_load16(x + 4 * j) - m) * s * runner_load16(w + 4 * j) + runner_load16(b + 4 * j)
                    runner_store16(y + 4 * j, runner_load16(add + 4 * j) + scale * value)
                    j += 16
                }
            } else {
                j = 0
                while j < c {
                    runner_store16(y + 4 * j, (runner_load16(x + 4 * j) - m) * s * runner_load16(w + 4 * j) + runner_load16(b + 4 * j))
                    j += 16
                }
            }
        }
    }
}
#endif
