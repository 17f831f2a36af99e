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

/// A rectangle of a source image in source pixels (fractional edges allowed): what one sample's
/// transform reads. A decoder needs to produce only this part (plus a pixel of margin for the
/// interpolation), and may produce it at a reduced scale as long as it stays at least the
/// transform's output size.
public struct SourceRegion: Sendable, Equatable {
    public var top: Double, left: Double, height: Double, width: Double

    public init(top: Double, left: Double, height: Double, width: Double) {
        self.top = top
        self.left = left
        self.height = height
        self.width = width
    }
}

/// What the loader does to each decoded sample: given its source and a random stream, write
/// `[channels, size, size]` floats (channel-planar), ready for the network.
///
/// Two steps, so that decoding can follow the transform: ``region(sourceHeight:sourceWidth:random:)``
/// draws the sample's crop from the source's size alone (known from a JPEG header before any
/// pixel is decoded), then ``apply(_:region:random:into:)`` reads that region from whatever the
/// decoder produced and continues the same random stream (flips, colour, policies). The stream
/// comes from (seed, epoch, position), so a sample is the same whichever thread makes it.
public protocol SampleTransform: Sendable {
    /// Channels written per sample.
    var channels: Int { get }
    /// Side of the square output.
    var size: Int { get }
    /// Whether the decoder may shrink the source in the DCT (JPEG scaling by M/8) while the region
    /// stays at least `size` pixels across; a transform matching a reference resampler exactly says no.
    var allowsReducedDecoding: Bool { get }
    /// The part of a `sourceHeight × sourceWidth` image this sample reads, drawn from `random`.
    func region(sourceHeight: Int, sourceWidth: Int, random: inout RandomGenerator) -> SourceRegion
    /// Writes the sample from `image`, which covers at least `region` (in source pixels), into
    /// `out` (`channels · size · size` floats), drawing its remaining randomness from `random`.
    func apply(_ image: ImageView, region: SourceRegion, random: inout RandomGenerator, into out: UnsafeMutablePointer<Float>)
}

extension SampleTransform {
    /// The whole pipeline on an image already decoded in full: region, then apply.
    public func apply(_ image: DecodedImage, random: inout RandomGenerator, into out: UnsafeMutablePointer<Float>) {
        let region = region(sourceHeight: image.height, sourceWidth: image.width, random: &random)
        image.pixels.withUnsafeBufferPointer { pixels in
            let view = ImageView(pixels: pixels.baseAddress!, height: image.height, width: image.width, channels: image.channels)
            apply(view, region: region, random: &random, into: out)
        }
    }
}
