import TensorEngine

/// What happens to each image on its way into a batch, in MindCV's and timm's terms: training takes a
/// random resized crop (area fraction `scale`, aspect `ratio`), flips and colour jitter; evaluation
/// resizes to `size / cropFraction` and takes the centre crop. Both end with `(x − mean) / std` per
/// channel, mean and std on the 0–255 scale as MindCV writes them. A one-channel image feeds a
/// three-channel network by repeating its channel, as PIL's `convert("RGB")` does.
public struct ImageTransform: Sendable {
    public enum Mode: Sendable, Equatable {
        case train(scale: ClosedRange<Double>, ratio: ClosedRange<Double>, horizontalFlip: Double, verticalFlip: Double,
                   colorJitter: ColorJitterStrength = .none)
        case evaluation(cropFraction: Double)
    }

    public var size: Int
    public var mode: Mode
    public var mean: [Float]
    public var std: [Float]
    /// Channels written per image; `nil` keeps the set's. Only 1 → 3 (grey to RGB) is a conversion.
    public var outputChannels: Int?

    public init(size: Int, mode: Mode, mean: [Float], std: [Float], outputChannels: Int? = nil) {
        self.size = size
        self.mode = mode
        self.mean = mean
        self.std = std
        self.outputChannels = outputChannels
    }

    /// The channels ``apply(_:index:into:random:)`` writes for images of `set`.
    public func channels(for set: ImageClassificationSet) -> Int { outputChannels ?? set.channels }

    /// Transforms image `index` of `set` into `out` (`[C, size, size]`, channel-planar, `C` from
    /// ``channels(for:)``), drawing its randomness from `random`.
    public func apply(_ set: ImageClassificationSet, index: Int, into out: UnsafeMutablePointer<Float>,
                      random: inout RandomGenerator) {
        let (h, w, c) = (set.height, set.width, set.channels)
        let outChannels = channels(for: set)
        precondition(outChannels == c || c == 1, "ImageTransform: \(c)-channel images cannot become \(outChannels) channels")
        var region: (top: Double, left: Double, height: Double, width: Double)
        var flipX = false, flipY = false
        var jitter: ColorJitterStrength.Draw?
        switch mode {
        case let .train(scale, ratio, horizontalFlip, verticalFlip, colorJitter):
            region = Self.randomResizedRegion(height: h, width: w, scale: scale, ratio: ratio, random: &random)
            flipX = Double(random.nextUniform()) < horizontalFlip
            flipY = Double(random.nextUniform()) < verticalFlip
            jitter = colorJitter.draw(using: &random)
        case let .evaluation(cropFraction):
            // Resize the shorter side to size / cropFraction, then cut the centre size × size:
            // in source pixels, a centred square of side shorter · cropFraction.
            let side = Double(min(h, w)) * min(cropFraction, 1)
            region = ((Double(h) - side) / 2, (Double(w) - side) / 2, side, side)
        }
        let base = index * h * w * c
        set.images.withUnsafeBufferPointer { pixels in
            let scaleY = region.height / Double(size), scaleX = region.width / Double(size)
            for y in 0..<size {
                let sourceY = region.top + (Double(flipY ? size - 1 - y : y) + 0.5) * scaleY - 0.5
                let y0 = Int(sourceY.rounded(.down)), fy = Float(sourceY - Double(y0))
                let ya = min(max(y0, 0), h - 1), yb = min(max(y0 + 1, 0), h - 1)
                for x in 0..<size {
                    let sourceX = region.left + (Double(flipX ? size - 1 - x : x) + 0.5) * scaleX - 0.5
                    let x0 = Int(sourceX.rounded(.down)), fx = Float(sourceX - Double(x0))
                    let xa = min(max(x0, 0), w - 1), xb = min(max(x0 + 1, 0), w - 1)
                    for channel in 0..<c {
                        func p(_ yy: Int, _ xx: Int) -> Float { Float(pixels[base + (yy * w + xx) * c + channel]) }
                        let top = p(ya, xa) + (p(ya, xb) - p(ya, xa)) * fx
                        let bottom = p(yb, xa) + (p(yb, xb) - p(yb, xa)) * fx
                        out[(channel * size + y) * size + x] = top + (bottom - top) * fy
                    }
                }
            }
        }
        let plane = size * size
        if outChannels > c {
            for channel in c..<outChannels { (out + channel * plane).update(from: out, count: plane) }
        }
        if let jitter { jitter.apply(to: out, channels: outChannels, plane: plane) }
        for channel in 0..<outChannels {
            let m = mean[min(channel, mean.count - 1)], s = std[min(channel, std.count - 1)]
            let values = out + channel * plane
            for i in 0..<plane { values[i] = (values[i] - m) / s }
        }
    }

    /// timm's `RandomResizedCropAndInterpolation.get_params` (``RandomResizedCrop/region(height:width:scale:ratio:uniform:)``)
    /// as (top, left, height, width).
    static func randomResizedRegion(height: Int, width: Int, scale: ClosedRange<Double>, ratio: ClosedRange<Double>,
                                    random: inout RandomGenerator) -> (Double, Double, Double, Double) {
        let region = RandomResizedCrop.region(height: height, width: width, scale: scale, ratio: ratio) {
            random.nextUniformDouble()
        }
        return (Double(region.top), Double(region.left), Double(region.height), Double(region.width))
    }
}
