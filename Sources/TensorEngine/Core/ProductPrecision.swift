/// The arithmetic of the engine's matrix products (linear layers, convolutions lowered to
/// products, their gradients).
///
/// `.bfloat16` is mixed precision as a processor with AVX512-BF16 runs it: both operands of a
/// product are rounded to bfloat16 (round to nearest, ties to even) as the kernel packs them, pairs
/// of products are summed into float32 accumulators by `vdpbf16ps`, and the result is float32.
/// Tensors, norms, softmax, losses, optimizer state and master weights stay float32, so no loss
/// scaling is needed: bfloat16 has float32's exponent range, and every gradient is float32.
/// Products too thin for the packed kernel (depth below 32, fewer than 16 rows or columns) and
/// the fused window-attention tiles stay float32.
public enum ProductPrecision: String, Sendable, CaseIterable {
    case float32
    case bfloat16

    /// The precision of the products computed by the current task (or thread): `.float32` unless
    /// a caller runs its work inside ``run(_:_:)``. Read once per product, on the thread that
    /// starts it.
    @TaskLocal public static var current: ProductPrecision = .float32

    /// Whether this processor runs `.bfloat16` products in hardware: AVX-512 with the BF16
    /// dot-product instructions (AMD Zen 4 and later, Intel Cooper Lake, Sapphire Rapids and later).
    public static var bfloat16Available: Bool { ProcessorFeatures.hasBFloat16 }

    /// Runs `body` with its products in `precision`. `.bfloat16` needs ``bfloat16Available``:
    /// the engine never emulates it (callers fall back to float32 and say so).
    public static func run<Result>(_ precision: ProductPrecision, _ body: () throws -> Result) rethrows -> Result {
        precondition(precision == .float32 || bfloat16Available,
                     "ProductPrecision.run: this processor has no AVX512-BF16 instructions")
        return try $current.withValue(precision, operation: body)
    }
}
