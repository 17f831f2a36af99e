import Foundation
import TensorEngine

/// torchvision's `TrivialAugmentWide` (torchvision 0.29) on 8-bit images: per image one of 14 ops
/// chosen uniformly, one of `bins` magnitudes chosen uniformly (`torch.linspace` in single
/// precision), signed ops negated with probability ½:
///
/// | op | magnitudes (31 bins) | applied as |
/// |---|---|---|
/// | Identity, AutoContrast, Equalize | — | |
/// | ShearX, ShearY | 0 … 0.99 | affine shear of atan(m) (in degrees) about (0, 0): the matrix of timm's shear by m |
/// | TranslateX, TranslateY | 0 … 32 px | shift by int(m) whole pixels |
/// | Rotate | 0 … 135° | `Image.rotate` about the centre |
/// | Brightness, Color, Contrast, Sharpness | 0 … 0.99 | enhance factor 1 + m |
/// | Posterize | 8 − round(i / 5) bits (8 … 2) | |
/// | Solarize | 255 … 0 | threshold |
///
/// torchvision's default filter is nearest and its reference recipe passes the recipe's
/// (bilinear); uncovered pixels are 0 (torchvision's default fill, which its reference keeps).
/// Older torchvision versions sheared by `degrees(m)` without the arctangent; this follows 0.29.
///
/// MindCV's `trivialaugwide` is a different implementation: timm-style ops with prob 1 and a
/// magnitude U(0, m) on a 31 scale, MindCV's 14 RandAugment ops (no Identity), factors 0.01–2.0,
/// translations up to 15% not negated, shear passed to MindSpore in degrees (so ±0.99°),
/// Posterize through its inverted bit count, fill = the mean. We follow torchvision.
public struct TrivialAugmentWide: Sendable, Equatable {
    public enum Op: String, CaseIterable, Sendable {
        case identity = "Identity", shearX = "ShearX", shearY = "ShearY", translateX = "TranslateX"
        case translateY = "TranslateY", rotate = "Rotate", brightness = "Brightness", color = "Color"
        case contrast = "Contrast", sharpness = "Sharpness", posterize = "Posterize", solarize = "Solarize"
        case autoContrast = "AutoContrast", equalize = "Equalize"

        /// Whether a magnitude's sign is drawn.
        public var isSigned: Bool {
            switch self {
            case .shearX, .shearY, .translateX, .translateY, .rotate, .brightness, .color, .contrast, .sharpness: true
            default: false
            }
        }

        /// Whether the op moves pixels (and so draws a filter when the filter is random).
        public var isGeometric: Bool { [.shearX, .shearY, .translateX, .translateY, .rotate].contains(self) }

        /// Whether the op draws a magnitude at all (torchvision gives the others a scalar 0).
        public var hasMagnitudes: Bool { ![.identity, .autoContrast, .equalize].contains(self) }
    }

    /// Number of magnitude bins (torchvision's `num_magnitude_bins`, 31).
    public var bins: Int
    /// Colour of uncovered pixels (torchvision: 0).
    public var fill: [UInt8]

    public init(bins: Int = 31, fill: [UInt8] = [0]) {
        precondition(bins >= 2, "TrivialAugmentWide: needs at least 2 magnitude bins, not \(bins)")
        self.bins = bins
        self.fill = fill
    }

    /// The magnitude of bin `index`, as torchvision's `_augmentation_space` tabulates it.
    public func magnitude(_ op: Op, bin index: Int) -> Double {
        switch op {
        case .identity, .autoContrast, .equalize: 0
        case .shearX, .shearY, .brightness, .color, .contrast, .sharpness: Double(Self.linspace(0, 0.99, bins)[index])
        case .translateX, .translateY: Double(Self.linspace(0, 32, bins)[index])
        case .rotate: Double(Self.linspace(0, 135, bins)[index])
        case .posterize: Double(8 - Int((Float(index) / Float(Double(bins - 1) / 6)).rounded(.toNearestOrEven)))
        case .solarize: Double(Self.linspace(255, 0, bins)[index])
        }
    }

    /// `torch.linspace(start, end, steps)` in single precision, by torch's scalar formula: the
    /// first half counts up from `start`, the second half back from `end`. torch's vectorised loop
    /// (AVX2) rounds a few bins 1–2 units in the last place differently; the one place that shows
    /// is TranslateX/Y bin 15, 16 px here and 15.999999 → 15 px in torchvision on such machines.
    public static func linspace(_ start: Float, _ end: Float, _ steps: Int) -> [Float] {
        let step = (end - start) / Float(steps - 1)
        return (0..<steps).map { i in i < steps / 2 ? start + step * Float(i) : end - step * Float(steps - i - 1) }
    }

    /// The concrete op for `op` at `magnitude` (already signed) on a `width` × `height` image,
    /// as torchvision's `_apply_op` calls Pillow.
    public func imageOp(_ op: Op, magnitude: Double, resampling: Resampling, width: Int, height: Int) -> ImageOp {
        switch op {
        case .identity: return .identity
        case .shearX, .shearY:
            let degrees = atan(magnitude) * (180 / Double.pi)
            let shear = op == .shearX ? (degrees, 0.0) : (0.0, degrees)
            return .affine(.torchvisionInverse(center: (0, 0), angle: 0, translate: (0, 0), scale: 1, shear: shear), resampling)
        case .translateX, .translateY:
            let pixels = Double(Int(magnitude))
            let translate = op == .translateX ? (pixels, 0.0) : (0.0, pixels)
            return .affine(.torchvisionInverse(center: (Double(width) * 0.5, Double(height) * 0.5), angle: 0,
                                               translate: translate, scale: 1, shear: (0, 0)), resampling)
        case .rotate: return .rotate(degrees: magnitude, resampling)
        case .brightness: return .brightness(factor: 1 + magnitude)
        case .color: return .color(factor: 1 + magnitude)
        case .contrast: return .contrast(factor: 1 + magnitude)
        case .sharpness: return .sharpness(factor: 1 + magnitude)
        case .posterize: return .posterize(bits: Int(magnitude))
        case .solarize: return .solarize(threshold: magnitude)
        case .autoContrast: return .autoContrast
        case .equalize: return .equalize
        }
    }

    public func apply(to image: DecodedImage, settings: AugmentSettings, random: inout RandomGenerator) -> DecodedImage {
        let op = Op.allCases[random.nextIndex(below: Op.allCases.count)]
        var magnitude = op.hasMagnitudes ? self.magnitude(op, bin: random.nextIndex(below: bins)) : 0
        if op.isSigned && random.nextIndex(below: 2) == 1 { magnitude = -magnitude }
        let resampling = op.isGeometric ? settings.interpolation.draw(random: &random) : .bilinear
        return imageOp(op, magnitude: magnitude, resampling: resampling, width: image.width, height: image.height)
            .apply(to: image, fill: fill)
    }
}
