/// How a transform turns a region of a source into its `size × size` output: the one place the
/// filter lives, so that replacing it (Pillow's separable resampling with antialiasing, for parity
/// with torchvision and timm) changes this file and nothing that calls it.
enum CropResampling {
    /// Bilinear interpolation of `region` (source pixels) of `image` onto a `size × size` grid,
    /// sampled at pixel centres, edges clamped; `flipX`/`flipY` mirror the output. Writes
    /// `image.channels` planes of `size · size` floats (0–255 scale) into `out`.
    ///
    /// The image may be a reduced-scale view of part of the source: coordinates go through its
    /// `top`, `left` and `scale`. On a full-size view this computes, bit for bit, what the
    /// in-memory transform always has.
    static func bilinear(_ image: ImageView, region: SourceRegion, size: Int, flipX: Bool, flipY: Bool,
                         into out: UnsafeMutablePointer<Float>) {
        let (h, w, c) = (image.height, image.width, image.channels)
        let scaleY = region.height / Double(size), scaleX = region.width / Double(size)
        let plane = size * size
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * size) { columns in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: size) { weights in
                for x in 0..<size {
                    let sourceX = (region.left + (Double(flipX ? size - 1 - x : x) + 0.5) * scaleX - image.left) / image.scale - 0.5
                    let x0 = Int(sourceX.rounded(.down))
                    weights[x] = Float(sourceX - Double(x0))
                    columns[2 * x] = min(max(x0, 0), w - 1) * c
                    columns[2 * x + 1] = min(max(x0 + 1, 0), w - 1) * c
                }
                for y in 0..<size {
                    let sourceY = (region.top + (Double(flipY ? size - 1 - y : y) + 0.5) * scaleY - image.top) / image.scale - 0.5
                    let y0 = Int(sourceY.rounded(.down)), fy = Float(sourceY - Double(y0))
                    let upper = image.pixels + min(max(y0, 0), h - 1) * image.rowStride
                    let lower = image.pixels + min(max(y0 + 1, 0), h - 1) * image.rowStride
                    for channel in 0..<c {
                        let target = out + channel * plane + y * size
                        let a = upper + channel, b = lower + channel
                        for x in 0..<size {
                            let left = columns[2 * x], right = columns[2 * x + 1], fx = weights[x]
                            let ul = Float(a[left]), ur = Float(a[right]), ll = Float(b[left]), lr = Float(b[right])
                            let top = ul + (ur - ul) * fx
                            let bottom = ll + (lr - ll) * fx
                            target[x] = top + (bottom - top) * fy
                        }
                    }
                }
            }
        }
    }
}
