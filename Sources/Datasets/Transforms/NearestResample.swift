/// Pillow's nearest-neighbour resize (`Image.resize` with `NEAREST` goes to `ImagingScaleAffine`,
/// src/libImaging/Geometry.c, not to the convolution): output pixel `k` along an axis reads source
/// index ⌊p_k⌋ with p₀ = box₀ + s/2 and p_{k+1} = p_k + s, s = (box₁ − box₀) / out. The running
/// double-precision sum, not (k + ½)·s, is what Pillow computes: where the product is a whole
/// number the two can fall on neighbouring pixels. Positions outside the source read zeros.
enum NearestResample {
    /// The source index each output index reads along one axis, −1 where it falls outside.
    static func positions(inSize: Int, in0: Float, in1: Float, outSize: Int) -> [Int] {
        let step = Double(in1 - in0) / Double(outSize)
        var position = Double(in0) + step * 0.5
        var table = [Int](repeating: -1, count: outSize)
        for k in 0..<outSize {
            let index = position < 0 ? -1 : Int(position)
            if index >= 0, index < inSize { table[k] = index }
            position += step
        }
        return table
    }

    /// Same contract as ``PillowResample/run(source:stride:height:width:channels:box:outHeight:outWidth:part:filter:into:outStride:)``.
    static func run(source: UnsafePointer<UInt8>, stride: Int, height: Int, width: Int, channels: Int, box: SourceBox,
                    outHeight: Int, outWidth: Int, part: PixelRegion, into out: UnsafeMutablePointer<UInt8>, outStride: Int) {
        let xs = positions(inSize: width, in0: box.left, in1: box.right, outSize: outWidth)
        let ys = positions(inSize: height, in0: box.top, in1: box.bottom, outSize: outHeight)
        for y in 0..<part.height {
            let target = out + y * outStride, sourceRow = ys[part.top + y]
            guard sourceRow >= 0 else {
                target.update(repeating: 0, count: part.width * channels)
                continue
            }
            let row = source + sourceRow * stride
            for x in 0..<part.width {
                let column = xs[part.left + x]
                for c in 0..<channels { target[x * channels + c] = column >= 0 ? row[column * channels + c] : 0 }
            }
        }
    }
}
