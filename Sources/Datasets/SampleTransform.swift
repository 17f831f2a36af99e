import TensorEngine

/// 8-bit pixels of a source image, or of the part of it a decoder produced (possibly at a reduced
/// scale), `[height, width, channels]` interleaved, rows `rowStride` bytes apart.
///
/// `top`, `left` and `scale` place the view on its source: view pixel `(y, x)` covers the source
/// pixels from `top + y · scale` to `top + (y + 1) · scale` (and likewise across), so a transform
/// can state what it reads in source pixels whatever the decoder chose to decode.
public struct ImageView {
    public let pixels: UnsafePointer<UInt8>
    public let height: Int, width: Int, channels: Int
    public let rowStride: Int
    /// The view's top-left corner on the source, in source pixels.
    public let top: Double, left: Double
    /// Source pixels per view pixel (1 when decoded at full size, 8/M after a DCT scaling by M/8).
    public let scale: Double

    public init(pixels: UnsafePointer<UInt8>, height: Int, width: Int, channels: Int, rowStride: Int? = nil,
                top: Double = 0, left: Double = 0, scale: Double = 1) {
        self.pixels = pixels
        self.height = height
        self.width = width
        self.channels = channels
        self.rowStride = rowStride ?? width * channels
        self.top = top
        self.left = left
        self.scale = scale
    }
}

/// Everything one sample draws before any of its pixels are read: the resize, in the source's
/// pixel coordinates (which pixels it reads, the box they cover, the output and the part of it
/// kept, the filter), and the flips. A decoder reads the plan to decode only the rows and
/// columns it touches, at the smallest DCT scale that still covers it.
public struct SamplePlan: Sendable, Equatable {
    public var resize: ResizePlan
    public var flip: ImageFlip

    public init(resize: ResizePlan, flip: ImageFlip = []) {
        self.resize = resize
        self.flip = flip
    }
}

/// What the loader does to each decoded sample: given its source and a random stream, write
/// `[channels, size, size]` floats (channel-planar), ready for the network.
///
/// Two steps, so that decoding can follow the transform: ``plan(sourceHeight:sourceWidth:random:)``
/// draws the sample's geometry from the source's size alone (known from a JPEG header before any
/// pixel is decoded), then ``apply(_:plan:random:into:)`` reads what the plan needs from whatever
/// the decoder produced and continues the same random stream (policies, colour, erasing). The
/// stream comes from (seed, epoch, position), so a sample is the same whichever thread makes it.
public protocol SampleTransform: Sendable {
    /// Channels written per sample.
    var channels: Int { get }
    /// Side of the square output.
    var size: Int { get }
    /// Whether the decoder may shrink the source in the DCT (JPEG scaling by M/8) while what the
    /// plan reads stays at least the output's size; a transform meant to match a reference
    /// resampler exactly says no.
    var allowsReducedDecoding: Bool { get }
    /// The geometry of one sample of a `sourceHeight × sourceWidth` image, drawn from `random`.
    func plan(sourceHeight: Int, sourceWidth: Int, random: inout RandomGenerator) -> SamplePlan
    /// Writes the sample from `image`, which covers at least the source pixels `plan` reads, into
    /// `out` (`channels · size · size` floats), drawing its remaining randomness from `random`.
    func apply(_ image: ImageView, plan: SamplePlan, random: inout RandomGenerator, into out: UnsafeMutablePointer<Float>)
}

extension SampleTransform {
    /// The whole pipeline on an image already decoded in full: plan, then apply.
    public func apply(_ image: DecodedImage, random: inout RandomGenerator, into out: UnsafeMutablePointer<Float>) {
        let plan = plan(sourceHeight: image.height, sourceWidth: image.width, random: &random)
        image.pixels.withUnsafeBufferPointer { pixels in
            let view = ImageView(pixels: pixels.baseAddress!, height: image.height, width: image.width, channels: image.channels)
            apply(view, plan: plan, random: &random, into: out)
        }
    }
}
