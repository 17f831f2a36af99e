/// One augmentation operation with its argument fixed, as Pillow performs it on an 8-bit image
/// (`[H, W, C]`, C = 1 or 3). The policies draw an op family and a magnitude and turn them into
/// one of these; applying it is deterministic.
///
/// Exactness against Pillow 12: point, enhance, blur and nearest-sampled geometric ops give
/// Pillow's bytes exactly; bilinear and bicubic follow Pillow's double-precision formulas and
/// truncation and also match exactly in the golden tests (`make_augment_golden.py`).
public enum ImageOp: Sendable, Equatable {
    /// Nothing changes (torchvision's `Identity`).
    case identity
    /// Each channel stretched to the full 0–255 range (`ImageOps.autocontrast`).
    case autoContrast
    /// Each channel's histogram flattened (`ImageOps.equalize`).
    case equalize
    /// 255 − v (`ImageOps.invert`).
    case invert
    /// Keeps the top `bits` bits (`ImageOps.posterize`); ≥ 8 changes nothing, ≤ 0 gives black.
    case posterize(bits: Int)
    /// Values ≥ `threshold` become 255 − v (`ImageOps.solarize`).
    case solarize(threshold: Double)
    /// Values < `threshold` get `add` added, clipped at 255 (timm's `solarize_add`).
    case solarizeAdd(add: Int, threshold: Int)
    /// Blend with the grey image: 0 grey, 1 unchanged (`ImageEnhance.Color`).
    case color(factor: Double)
    /// Blend with the mean grey level: 0 flat, 1 unchanged (`ImageEnhance.Contrast`).
    case contrast(factor: Double)
    /// Blend with black: 0 black, 1 unchanged (`ImageEnhance.Brightness`).
    case brightness(factor: Double)
    /// Blend with the smoothed image: 0 smoothed, 1 unchanged, 2 sharpened (`ImageEnhance.Sharpness`).
    case sharpness(factor: Double)
    /// Pillow's box-blur Gaussian of standard deviation `radius` pixels (`ImageFilter.GaussianBlur`).
    case gaussianBlur(radius: Double)
    /// `Image.rotate(degrees)`: counter-clockwise about the centre, same size.
    case rotate(degrees: Double, Resampling)
    /// `Image.transform(size, AFFINE, matrix)`: the output reads the input through `matrix`.
    case affine(AffineMatrix, Resampling)

    /// timm's `shear_x`: output (x, y) reads input (x + factor·y, y).
    public static func shearX(_ factor: Double, _ resampling: Resampling) -> ImageOp {
        .affine(AffineMatrix(1, factor, 0, 0, 1, 0), resampling)
    }

    /// timm's `shear_y`: output (x, y) reads input (x, y + factor·x).
    public static func shearY(_ factor: Double, _ resampling: Resampling) -> ImageOp {
        .affine(AffineMatrix(1, 0, 0, factor, 1, 0), resampling)
    }

    /// timm's `translate_x_abs`: output x reads input x + pixels (content moves left for positive values).
    public static func translateX(_ pixels: Double, _ resampling: Resampling) -> ImageOp {
        .affine(AffineMatrix(1, 0, pixels, 0, 1, 0), resampling)
    }

    /// timm's `translate_y_abs`: output y reads input y + pixels (content moves up for positive values).
    public static func translateY(_ pixels: Double, _ resampling: Resampling) -> ImageOp {
        .affine(AffineMatrix(1, 0, 0, 0, 1, pixels), resampling)
    }

    /// The op applied to `image`. `fill` colours what geometric ops uncover (one value per
    /// channel; a shorter list repeats its last value, so a three-value fill on a grey image uses
    /// its first).
    public func apply(to image: DecodedImage, fill: [UInt8]) -> DecodedImage {
        precondition(image.channels == 1 || image.channels == 3, "ImageOp: \(image.channels)-channel images are not supported")
        switch self {
        case .identity: return image
        case .autoContrast: return PointOps.autoContrast(image)
        case .equalize: return PointOps.equalize(image)
        case .invert: return PointOps.invert(image)
        case .posterize(let bits): return PointOps.posterize(image, bits: bits)
        case .solarize(let threshold): return PointOps.solarize(image, threshold: threshold)
        case .solarizeAdd(let add, let threshold): return PointOps.solarizeAdd(image, add: add, threshold: threshold)
        case .color(let factor): return EnhanceOps.color(image, factor: factor)
        case .contrast(let factor): return EnhanceOps.contrast(image, factor: factor)
        case .brightness(let factor): return EnhanceOps.brightness(image, factor: factor)
        case .sharpness(let factor): return EnhanceOps.sharpness(image, factor: factor)
        case .gaussianBlur(let radius): return GaussianBlur.blur(image, radius: radius)
        case .rotate(let degrees, let resampling): return AffineResampler.rotate(image, degrees: degrees, resampling, fill: fill)
        case .affine(let matrix, let resampling): return AffineResampler.transform(image, matrix, resampling, fill: fill)
        }
    }
}
