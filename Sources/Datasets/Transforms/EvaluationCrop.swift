/// The evaluation geometry of timm's `transforms_imagenet_eval` (crop mode `center`), which
/// MindCV and torchvision's reference share: the shorter side resized to ⌊size / crop_pct⌋
/// (torchvision's `Resize(int)`: the longer side to ⌊that · long / short⌋), then the centre
/// `size × size` (torchvision's `CenterCrop`: offsets rounded half to even, zero padding where
/// the crop is larger than the image). Both steps are one pass: only the crop is resampled.
public struct EvaluationCrop: Sendable, Equatable {
    public var size: Int
    public var cropPct: Double
    public var filter: ResampleFilter
    /// torchvision's `--val-resize-size`: the shorter side after resizing, in place of
    /// ⌊size / crop_pct⌋; `nil` derives it from `cropPct`.
    public var resizeSize: Int?

    public init(size: Int, cropPct: Double = 0.875, filter: ResampleFilter = .bilinear, resizeSize: Int? = nil) {
        precondition(size > 0 && cropPct > 0 && (resizeSize ?? 1) > 0, "EvaluationCrop: size \(size), crop_pct \(cropPct), resize \(resizeSize ?? 0)")
        self.size = size
        self.cropPct = cropPct
        self.filter = filter
        self.resizeSize = resizeSize
    }

    /// The shorter side after resizing: ``resizeSize``, or ⌊size / crop_pct⌋.
    public var scaleSize: Int { resizeSize ?? Int((Double(size) / cropPct).rounded(.down)) }

    /// torchvision's `_compute_resized_output_size` for one requested edge: the shorter side
    /// becomes `shorter`, the longer ⌊shorter · long / short⌋.
    public static func shorterSide(height: Int, width: Int, to shorter: Int) -> (height: Int, width: Int) {
        let (short, long) = width <= height ? (width, height) : (height, width)
        let newLong = Int(Double(shorter * long) / Double(short))
        return width <= height ? (newLong, shorter) : (shorter, newLong)
    }

    /// Where a centred `crop` starts along an edge of `length` pixels: negative when the crop
    /// is longer (torchvision pads ⌊(crop − length) / 2⌋ before it).
    static func centredOffset(length: Int, crop: Int) -> Int {
        crop > length ? -((crop - length) / 2) : Int((Double(length - crop) / 2).rounded(.toNearestOrEven))
    }

    /// The plan for an image of this size.
    public func plan(height: Int, width: Int) -> ResizePlan {
        let resized = Self.shorterSide(height: height, width: width, to: scaleSize)
        let part = PixelRegion(top: Self.centredOffset(length: resized.height, crop: size),
                               left: Self.centredOffset(length: resized.width, crop: size), height: size, width: size)
        return ResizePlan(region: PixelRegion(height: height, width: width), width: resized.width, height: resized.height,
                          part: part, filter: filter)
    }

    /// The evaluation crop of `image`: `[size, size, channels]` bytes.
    public func apply(to image: DecodedImage) -> DecodedImage {
        plan(height: image.height, width: image.width).apply(to: image)
    }
}
