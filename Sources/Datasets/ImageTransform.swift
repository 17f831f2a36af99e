import TensorEngine

/// What happens to each image on its way into a batch, in MindCV's and timm's order.
///
/// Training: timm's random resized crop resampled with Pillow's filters (``RandomResizedCrop``),
/// the flips, then either the `auto_augment` policy (``AugmentPolicy``) or colour jitter — never
/// both, as MindCV builds it —, normalisation, and random erasing on the normalised planes.
/// Evaluation: the shorter side resized to ⌊size / crop_pct⌋ and the centre `size × size` kept
/// (``EvaluationCrop``), normalised. Images stay 8-bit until normalisation, as PIL keeps them for
/// the peers. A one-channel image feeds a three-channel network by repeating its channel, as
/// PIL's `convert("RGB")` does.
///
/// The same transform serves in-memory sets (``apply(_:index:into:random:)``) and decoded files
/// (``SampleTransform``).
public struct ImageTransform: SampleTransform {
    public enum Mode: Sendable {
        case train(TrainingAugmentation)
        case evaluation(EvaluationCrop)
    }

    public var mode: Mode
    public var normalization: PixelNormalization
    /// Channels written per image; `nil` keeps the source's. Only 1 → 3 (grey to RGB) is a conversion.
    public var outputChannels: Int?
    /// Whether a JPEG may be decoded at a reduced DCT scale (M/8) while the crop stays at least
    /// `size` pixels across: a quarter or less of the decoding work for large crops, at the price
    /// of pixels that differ slightly from a full decode and resize. On for training, off for
    /// evaluation so that reported accuracy is the reference pipeline's.
    public var allowsReducedDecoding: Bool

    public init(mode: Mode, normalization: PixelNormalization, outputChannels: Int? = nil) {
        self.mode = mode
        self.normalization = normalization
        self.outputChannels = outputChannels
        if case .train = mode { allowsReducedDecoding = true } else { allowsReducedDecoding = false }
    }

    /// Side of the square output.
    public var size: Int {
        switch mode {
        case .train(let augmentation): augmentation.crop.height
        case .evaluation(let crop): crop.size
        }
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
        let plan = plan(sourceHeight: h, sourceWidth: w, random: &random)
        set.images.withUnsafeBufferPointer { pixels in
            let view = ImageView(pixels: pixels.baseAddress! + index * h * w * c, height: h, width: w, channels: c)
            write(view, plan: plan, outputChannels: channels(for: set), random: &random, into: out)
        }
    }

    /// Training: the random resized crop, its filter and flips, in timm's order of draws.
    /// Evaluation: the fixed centre crop.
    public func plan(sourceHeight h: Int, sourceWidth w: Int, random: inout RandomGenerator) -> SamplePlan {
        switch mode {
        case .train(let augmentation):
            let draw = augmentation.crop.draw(height: h, width: w, random: &random)
            return SamplePlan(resize: draw.plan, flip: draw.flip)
        case .evaluation(let crop):
            return SamplePlan(resize: crop.plan(height: h, width: w))
        }
    }

    public func apply(_ image: ImageView, plan: SamplePlan, random: inout RandomGenerator,
                      into out: UnsafeMutablePointer<Float>) {
        write(image, plan: plan, outputChannels: outputChannels ?? image.channels, random: &random, into: out)
    }

    /// Resampled to bytes, then (training) policy or jitter on the bytes, normalised into `out`, erased.
    private func write(_ image: ImageView, plan: SamplePlan, outputChannels: Int, random: inout RandomGenerator,
                       into out: UnsafeMutablePointer<Float>) {
        let c = image.channels, resize = plan.resize
        precondition(outputChannels == c || c == 1, "ImageTransform: \(c)-channel images cannot become \(outputChannels) channels")
        var bytes = [UInt8](repeating: 0, count: resize.part.height * resize.part.width * c)
        bytes.withUnsafeMutableBufferPointer { resize.run(on: image, into: $0.baseAddress!) }
        var resized = DecodedImage(height: resize.part.height, width: resize.part.width, channels: c, pixels: bytes)
        guard case .train(let augmentation) = mode else {
            normalization.write(resized, channels: outputChannels, into: out)
            return
        }
        var flip = plan.flip
        if let policy = augmentation.policy {
            resized = policy.apply(to: resized.flipped(flip), settings: augmentation.policySettings, random: &random)
            flip = []
        }
        // Jitter changes every pixel alike wherever it stands, so the flip stays with normalisation.
        if augmentation.policy == nil, let jitter = augmentation.colorJitter.draw(using: &random) {
            resized = jitter.apply(to: resized)
        }
        normalization.write(resized, flip: flip, channels: outputChannels, into: out)
        augmentation.erasing?.apply(to: out, channels: outputChannels, height: resized.height, width: resized.width,
                                    random: &random)
    }
}
