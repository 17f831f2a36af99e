import TensorEngine

/// The op families of timm's `auto_augment` (its `NAME_TO_OP` names) and timm's mapping from a
/// magnitude on the 0–10 scale to each op's argument (`LEVEL_TO_ARG`), with l = magnitude / 10:
///
/// | family | argument at level l |
/// |---|---|
/// | Rotate | ±30·l degrees |
/// | ShearX, ShearY | ±0.3·l (affine about the top-left corner) |
/// | TranslateXRel, TranslateYRel | ±l·p of the width / height (p = 0.45; AugMix 0.3) |
/// | Posterize / Increasing / Original | keep int(4·l) / 4 − int(4·l) / int(4·l) + 4 bits |
/// | Solarize / Increasing | threshold min(256, int(256·l)) / 256 − that |
/// | SolarizeAdd | add min(128, int(110·l)) below 128 |
/// | Color, Contrast, Brightness, Sharpness | factor 1.8·l + 0.1 |
/// | …Increasing | factor max(0.1, 1 ± 0.9·l) |
/// | Desaturate | colour factor 1 − clamp(0.5 + 0.5·l, 0.5, 1) |
/// | GaussianBlur | radius clamp(0.1 + 1.9·l, 0.1, 2) |
/// | GaussianBlurRand | radius U(0.1, 2·clamp(l, 0, 1)) |
/// | AutoContrast, Equalize, Invert | none |
///
/// "±" is a sign drawn with probability ½ (timm's `_randomly_negate`). timm's absolute
/// `TranslateX`/`TranslateY` are in no policy and are left out.
public enum AugmentOpKind: String, CaseIterable, Sendable {
    case autoContrast = "AutoContrast", equalize = "Equalize", invert = "Invert", rotate = "Rotate"
    case posterize = "Posterize", posterizeIncreasing = "PosterizeIncreasing", posterizeOriginal = "PosterizeOriginal"
    case solarize = "Solarize", solarizeIncreasing = "SolarizeIncreasing", solarizeAdd = "SolarizeAdd"
    case color = "Color", colorIncreasing = "ColorIncreasing", contrast = "Contrast", contrastIncreasing = "ContrastIncreasing"
    case brightness = "Brightness", brightnessIncreasing = "BrightnessIncreasing"
    case sharpness = "Sharpness", sharpnessIncreasing = "SharpnessIncreasing"
    case shearX = "ShearX", shearY = "ShearY", translateXRel = "TranslateXRel", translateYRel = "TranslateYRel"
    case desaturate = "Desaturate", gaussianBlur = "GaussianBlur", gaussianBlurRand = "GaussianBlurRand"

    /// Whether the argument's sign is drawn (timm negates these with probability ½).
    public var isSigned: Bool {
        switch self {
        case .rotate, .shearX, .shearY, .translateXRel, .translateYRel,
             .colorIncreasing, .contrastIncreasing, .brightnessIncreasing, .sharpnessIncreasing: true
        default: false
        }
    }

    /// Whether the op moves pixels (and so draws a resampling filter when it is random).
    public var isGeometric: Bool {
        switch self {
        case .rotate, .shearX, .shearY, .translateXRel, .translateYRel: true
        default: false
        }
    }

    /// timm's level-to-argument value at `magnitude` (0–10 scale, already clipped), negated when
    /// `negate` and the family is signed; `nil` for ops without an argument. For the relative
    /// translations it is the fraction of the side; for GaussianBlurRand the upper radius factor.
    public func argument(magnitude: Double, negate: Bool, translatePercent: Double = 0.45) -> Double? {
        let level = magnitude / 10
        func signed(_ v: Double) -> Double { negate ? -v : v }
        func clamped(_ low: Double, _ high: Double) -> Double { max(low, min(high, low + (high - low) * level)) }
        switch self {
        case .autoContrast, .equalize, .invert: return nil
        case .rotate: return signed(level * 30)
        case .posterize: return Double(Int(level * 4))
        case .posterizeIncreasing: return Double(4 - Int(level * 4))
        case .posterizeOriginal: return Double(Int(level * 4) + 4)
        case .solarize: return Double(min(256, Int(level * 256)))
        case .solarizeIncreasing: return Double(256 - min(256, Int(level * 256)))
        case .solarizeAdd: return Double(min(128, Int(level * 110)))
        case .color, .contrast, .brightness, .sharpness: return level * 1.8 + 0.1
        case .colorIncreasing, .contrastIncreasing, .brightnessIncreasing, .sharpnessIncreasing:
            return max(0.1, 1.0 + signed(level * 0.9))
        case .shearX, .shearY: return signed(level * 0.3)
        case .translateXRel, .translateYRel: return signed(level * translatePercent)
        case .desaturate: return clamped(0.5, 1.0)
        case .gaussianBlur: return clamped(0.1, 2.0)
        case .gaussianBlurRand: return clamped(0, 1)
        }
    }

    /// The concrete op for `argument` (from ``argument(magnitude:negate:translatePercent:)``) on
    /// an image of `width` × `height`; `blurRadius` is GaussianBlurRand's drawn radius (`nil`
    /// takes the top of its range).
    public func imageOp(argument: Double?, resampling: Resampling, width: Int, height: Int,
                        blurRadius: Double? = nil) -> ImageOp {
        let v = argument ?? 0
        switch self {
        case .autoContrast: return .autoContrast
        case .equalize: return .equalize
        case .invert: return .invert
        case .rotate: return .rotate(degrees: v, resampling)
        case .posterize, .posterizeIncreasing, .posterizeOriginal: return .posterize(bits: Int(v))
        case .solarize, .solarizeIncreasing: return .solarize(threshold: v)
        case .solarizeAdd: return .solarizeAdd(add: Int(v), threshold: 128)
        case .color, .colorIncreasing: return .color(factor: v)
        case .contrast, .contrastIncreasing: return .contrast(factor: v)
        case .brightness, .brightnessIncreasing: return .brightness(factor: v)
        case .sharpness, .sharpnessIncreasing: return .sharpness(factor: v)
        case .shearX: return .shearX(v, resampling)
        case .shearY: return .shearY(v, resampling)
        case .translateXRel: return .translateX(v * Double(width), resampling)
        case .translateYRel: return .translateY(v * Double(height), resampling)
        case .desaturate: return .color(factor: min(1, max(0, 1 - v)))
        case .gaussianBlur: return .gaussianBlur(radius: v)
        case .gaussianBlurRand: return .gaussianBlur(radius: blurRadius ?? 2 * v)
        }
    }
}

/// How the magnitude of each op call is drawn (timm's `magnitude_std` and `magnitude_max`): fixed
/// when `std` is 0, N(m, std²) when positive, U(0, m) when infinite; then clipped to [0, `max`].
public struct MagnitudeNoise: Sendable, Equatable {
    public var std: Double
    /// The clip; timm's default (and what `mmax0` gives) is 10.
    public var max: Double

    public init(std: Double = 0, max: Double = 10) {
        self.std = std
        self.max = max
    }

    /// The magnitude for one call of an op whose nominal magnitude is `magnitude`.
    public func draw(_ magnitude: Double, random: inout RandomGenerator) -> Double {
        var m = magnitude
        if std.isInfinite {
            m = magnitude * random.nextUniformDouble()
        } else if std > 0 {
            m = random.nextGaussian(mean: magnitude, std: std)
        }
        return Swift.max(0, Swift.min(m, self.max))
    }
}

/// One op of a policy: timm's `AugmentOp(name, prob, magnitude)`.
public struct PolicyOp: Sendable, Equatable {
    public var kind: AugmentOpKind
    public var probability: Double
    public var magnitude: Double

    public init(_ kind: AugmentOpKind, probability: Double, magnitude: Double) {
        self.kind = kind
        self.probability = probability
        self.magnitude = magnitude
    }

    /// One call, as timm's `AugmentOp.__call__`: skipped when U > probability (for probability
    /// < 1); else the magnitude is drawn by `noise`, the sign and (if random) the filter are
    /// drawn, and the op is applied.
    public func apply(to image: DecodedImage, noise: MagnitudeNoise, settings: AugmentSettings,
                      translatePercent: Double, random: inout RandomGenerator) -> DecodedImage {
        if probability < 1 && random.nextUniformDouble() > probability { return image }
        let magnitude = noise.draw(self.magnitude, random: &random)
        let negate = kind.isSigned && random.nextUniformDouble() > 0.5
        let argument = kind.argument(magnitude: magnitude, negate: negate, translatePercent: translatePercent)
        let resampling = kind.isGeometric ? settings.interpolation.draw(random: &random) : .bilinear
        var radius: Double?
        if kind == .gaussianBlurRand, let upper = argument {
            radius = 0.1 + (2 * upper - 0.1) * random.nextUniformDouble()
        }
        let op = kind.imageOp(argument: argument, resampling: resampling, width: image.width, height: image.height,
                              blurRadius: radius)
        return op.apply(to: image, fill: settings.fill)
    }
}
