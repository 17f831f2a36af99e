import TensorEngine

/// What happens to each image on its way into a batch, in MindCV's and timm's terms: training takes a
/// random resized crop (area fraction `scale`, aspect `ratio`), flips and colour jitter; evaluation
/// resizes to `size / cropFraction` and takes the centre crop. Both end with `(x − mean) / std` per
/// channel, mean and std on the 0–255 scale as MindCV writes them. A one-channel image feeds a
/// three-channel network by repeating its channel, as PIL's `convert("RGB")` does.
///
/// The same transform serves in-memory sets (``apply(_:index:into:random:)``) and decoded files
/// (``SampleTransform``); the crop is resampled by ``CropResampling/bilinear(_:region:size:flipX:flipY:into:)``.
public struct ImageTransform: SampleTransform {
    public enum Mode: Sendable, Equatable {
        case train(scale: ClosedRange<Double>, ratio: ClosedRange<Double>, horizontalFlip: Double, verticalFlip: Double,
                   colorJitter: ColorJitterStrength = .none)
        case evaluation(cropFraction: Double)
    }

    public var size: Int
    public var mode: Mode
    public var mean: [Float]
    public var std: [Float]
    /// Channels written per image; `nil` keeps the source's. Only 1 → 3 (grey to RGB) is a conversion.
    public var outputChannels: Int?
    /// Whether a JPEG may be decoded at a reduced scale (M/8, the region staying at least `size`
    /// across): less to decode and a smoother downscale than bilinear alone gives.
    public var allowsReducedDecoding = true

    public init(size: Int, mode: Mode, mean: [Float], std: [Float], outputChannels: Int? = nil) {
        self.size = size
        self.mode = mode
        self.mean = mean
        self.std = std
        self.outputChannels = outputChannels
    }

    /// The channels ``apply(_:index:into:random:)`` writes for images of `set`.
    public func channels(for set: ImageClassificationSet) -> Int { outputChannels ?? set.channels }

    /// The channels written for decoded files: `outputChannels`, else RGB.
    public var channels: Int { outputChannels ?? 3 }

    /// Transforms image `index` of `set` into `out` (`[C, size, size]`, channel-planar, `C` from
    /// ``channels(for:)``), drawing its randomness from `random`.
    public func apply(_ set: ImageClassificationSet, index: Int, into out: UnsafeMutablePointer<Float>,
                      random: inout RandomGenerator) {
        let (h, w, c) = (set.height, set.width, set.channels)
        let region = region(sourceHeight: h, sourceWidth: w, random: &random)
        set.images.withUnsafeBufferPointer { pixels in
            let view = ImageView(pixels: pixels.baseAddress! + index * h * w * c, height: h, width: w, channels: c)
            write(view, region: region, outputChannels: channels(for: set), random: &random, into: out)
        }
    }

    /// The random resized crop in training, the centred `cropFraction` square in evaluation.
    public func region(sourceHeight h: Int, sourceWidth w: Int, random: inout RandomGenerator) -> SourceRegion {
        switch mode {
        case let .train(scale, ratio, _, _, _):
            return Self.randomResizedRegion(height: h, width: w, scale: scale, ratio: ratio, random: &random)
        case let .evaluation(cropFraction):
            // Resize the shorter side to size / cropFraction, then cut the centre size × size:
            // in source pixels, a centred square of side shorter · cropFraction.
            let side = Double(min(h, w)) * min(cropFraction, 1)
            return SourceRegion(top: (Double(h) - side) / 2, left: (Double(w) - side) / 2, height: side, width: side)
        }
    }

    public func apply(_ image: ImageView, region: SourceRegion, random: inout RandomGenerator,
                      into out: UnsafeMutablePointer<Float>) {
        write(image, region: region, outputChannels: outputChannels ?? image.channels, random: &random, into: out)
    }

    /// Flips and jitter drawn (training), the region resampled, grey repeated to `outputChannels`,
    /// jitter applied, normalised.
    private func write(_ image: ImageView, region: SourceRegion, outputChannels: Int, random: inout RandomGenerator,
                       into out: UnsafeMutablePointer<Float>) {
        let c = image.channels
        precondition(outputChannels == c || c == 1, "ImageTransform: \(c)-channel images cannot become \(outputChannels) channels")
        var flipX = false, flipY = false
        var jitter: ColorJitterStrength.Draw?
        if case let .train(_, _, horizontalFlip, verticalFlip, colorJitter) = mode {
            flipX = Double(random.nextUniform()) < horizontalFlip
            flipY = Double(random.nextUniform()) < verticalFlip
            jitter = colorJitter.draw(using: &random)
        }
        CropResampling.bilinear(image, region: region, size: size, flipX: flipX, flipY: flipY, into: out)
        let plane = size * size
        if outputChannels > c {
            for channel in c..<outputChannels { (out + channel * plane).update(from: out, count: plane) }
        }
        if let jitter { jitter.apply(to: out, channels: outputChannels, plane: plane) }
        for channel in 0..<outputChannels {
            let m = mean[min(channel, mean.count - 1)], s = std[min(channel, std.count - 1)]
            let values = out + channel * plane
            for i in 0..<plane { values[i] = (values[i] - m) / s }
        }
    }

    /// timm's `RandomResizedCropAndInterpolation.get_params` (``RandomResizedCrop/region(height:width:scale:ratio:uniform:)``)
    /// as (top, left, height, width).
    static func randomResizedRegion(height: Int, width: Int, scale: ClosedRange<Double>, ratio: ClosedRange<Double>,
                                    random: inout RandomGenerator) -> SourceRegion {
        let region = RandomResizedCrop.region(height: height, width: width, scale: scale, ratio: ratio) {
            random.nextUniformDouble()
        }
        return SourceRegion(top: Double(region.top), left: Double(region.left), height: Double(region.height),
                            width: Double(region.width))
    }
}
