/// The sizes of one 2-D convolution over NCHW, shared by its algorithms.
struct Conv2dGeometry {
    let batch: Int
    let inChannels: Int
    let height: Int
    let width: Int
    let outChannels: Int
    let kernelHeight: Int
    let kernelWidth: Int
    let strideY: Int
    let strideX: Int
    let paddingY: Int
    let paddingX: Int
    let dilationY: Int
    let dilationX: Int
    let groups: Int

    var outHeight: Int { (height + 2 * paddingY - dilationY * (kernelHeight - 1) - 1) / strideY + 1 }
    var outWidth: Int { (width + 2 * paddingX - dilationX * (kernelWidth - 1) - 1) / strideX + 1 }
    var inPerGroup: Int { inChannels / groups }
    var outPerGroup: Int { outChannels / groups }
    /// Elements of one input plane `H·W`.
    var inPlane: Int { height * width }
    /// Elements of one output plane `Ho·Wo`.
    var outPlane: Int { outHeight * outWidth }
    /// Length of one unfolded patch of a group, `I/groups · kH · kW` (the GEMM's inner size).
    var patchSize: Int { inPerGroup * kernelHeight * kernelWidth }
    /// Multiply-adds × 2 of the forward pass.
    var flops: Double { 2 * Double(batch) * Double(outChannels) * Double(outPlane) * Double(patchSize) }

    /// The output positions `o` in `0..<outSize` whose input index `o·stride + offset` falls inside
    /// `0..<inSize` (the rest read padding).
    static func validOutputs(outSize: Int, offset: Int, stride: Int, inSize: Int) -> Range<Int> {
        let low = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let high = inSize - offset > 0 ? (inSize - offset + stride - 1) / stride : 0
        let clampedLow = min(low, outSize), clampedHigh = min(max(high, clampedLow), outSize)
        return clampedLow..<clampedHigh
    }
}
