/// The sizes of a 2-D pooling window sliding over NCHW planes (floor mode: windows start inside
/// the padded input and only whole windows count).
struct Pool2dGeometry {
    let planes: Int
    let height: Int
    let width: Int
    let kernelHeight: Int
    let kernelWidth: Int
    let strideY: Int
    let strideX: Int
    let paddingY: Int
    let paddingX: Int

    var outHeight: Int { (height + 2 * paddingY - kernelHeight) / strideY + 1 }
    var outWidth: Int { (width + 2 * paddingX - kernelWidth) / strideX + 1 }
    var inPlane: Int { height * width }
    var outPlane: Int { outHeight * outWidth }

    /// Validates the arguments of a pooling op on `shape` (`[N, C, H, W]`), failing with the op's name.
    init(_ op: String, shape: [Int], kernel: (Int, Int), stride: (Int, Int)?, padding: (Int, Int)) {
        guard shape.count == 4 else {
            EngineError.fail(op, "needs an input [N, C, H, W], got \(Shape.describe(shape))")
        }
        let stride = stride ?? kernel
        guard kernel.0 >= 1, kernel.1 >= 1, stride.0 >= 1, stride.1 >= 1, padding.0 >= 0, padding.1 >= 0 else {
            EngineError.fail(op, "needs kernel and stride ≥ 1 and padding ≥ 0, got kernel \(kernel), stride \(stride), padding \(padding)")
        }
        guard padding.0 <= kernel.0 / 2, padding.1 <= kernel.1 / 2 else {
            EngineError.fail(op, "padding \(padding) must be at most half the kernel \(kernel)")
        }
        planes = shape[0] * shape[1]
        height = shape[2]
        width = shape[3]
        kernelHeight = kernel.0
        kernelWidth = kernel.1
        strideY = stride.0
        strideX = stride.1
        paddingY = padding.0
        paddingX = padding.1
        guard height + 2 * paddingY >= kernelHeight, width + 2 * paddingX >= kernelWidth else {
            EngineError.shapeMismatch(op, shape, [kernel.0, kernel.1], "the kernel is larger than the padded input")
        }
    }

    /// The input rows (or columns) under window `index` along an axis, clipped to the input, and
    /// the length of the window clipped to the padded input only (the divisor of an average that
    /// counts padding).
    @inline(__always)
    static func window(_ index: Int, stride: Int, padding: Int, kernel: Int, size: Int) -> (range: Range<Int>, paddedLength: Int) {
        let start = index * stride - padding
        let end = min(start + kernel, size + padding)
        return (max(start, 0)..<min(end, size), end - start)
    }
}
