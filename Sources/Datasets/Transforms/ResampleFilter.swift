import Foundation

/// Pillow's resampling filters (`Image.Resampling`), as `Image.resize` applies them to 8-bit
/// images and as timm and torchvision name them (`str_to_pil_interp`: nearest, box, bilinear,
/// hamming, bicubic, lanczos).
///
/// Every filter but ``nearest`` is a convolution whose support widens by the downscale factor,
/// so downscaling is antialiased (see ``PillowResample``). ``nearest`` picks one source pixel.
public enum ResampleFilter: String, Sendable, CaseIterable {
    case nearest, box, bilinear, hamming, bicubic, lanczos

    /// The filter a recipe's `interpolation` names. MindCV's `area` is MindSpore's `Inter.AREA`,
    /// OpenCV's `INTER_AREA` (its decoder is not PIL): when shrinking, the coverage-weighted mean
    /// of the source pixels under each output pixel, which is what PIL's box filter computes — the
    /// same values up to rounding. When enlarging, OpenCV's area interpolation differs from a box
    /// (it blends neighbours bilinearly; PIL's box replicates), so `area` is PIL `box` here in
    /// both directions. `nil` for names that are neither.
    public init?(recipeName name: String) {
        if name == "area" { self = .box } else { self.init(rawValue: name) }
    }

    /// Half-width of the filter at scale 1, in source pixels (Pillow's `support`).
    var support: Double {
        switch self {
        case .nearest: 0
        case .box: 0.5
        case .bilinear, .hamming: 1
        case .bicubic: 2
        case .lanczos: 3
        }
    }

    /// The filter's weight at offset `x` source pixels (already divided by the downscale
    /// factor), with Pillow's formulas and constants, so coefficients match it bit for bit.
    func weight(_ x: Double) -> Double {
        switch self {
        case .nearest, .box:
            return x > -0.5 && x <= 0.5 ? 1 : 0
        case .bilinear:
            let x = abs(x)
            return x < 1 ? 1 - x : 0
        case .hamming:
            let x = abs(x)
            if x == 0 { return 1 }
            if x >= 1 { return 0 }
            let t = x * Double.pi
            // Pillow writes the window's constants as C floats.
            return sin(t) / t * (Double(Float(0.54)) + Double(Float(0.46)) * cos(t))
        case .bicubic:
            let a = -0.5, x = abs(x)
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        case .lanczos:
            return -3 <= x && x < 3 ? Self.sinc(x) * Self.sinc(x / 3) : 0
        }
    }

    private static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let t = x * Double.pi
        return sin(t) / t
    }
}

/// A recipe's interpolation for training crops: one filter, or timm's `random`, a fair choice
/// between bilinear and bicubic for each image (`_RANDOM_INTERPOLATION`).
public enum InterpolationChoice: Sendable, Equatable {
    case fixed(ResampleFilter)
    case random

    /// `random`, or the filter ``ResampleFilter/init(recipeName:)`` maps `name` to.
    public init?(recipeName name: String) {
        if name == "random" {
            self = .random
        } else if let filter = ResampleFilter(recipeName: name) {
            self = .fixed(filter)
        } else {
            return nil
        }
    }

    /// The filter for one image; `random` takes one uniform draw (timm's `random.choice` over
    /// (bilinear, bicubic): index ⌊2u⌋), a fixed filter none.
    public func draw(_ uniform: () -> Double) -> ResampleFilter {
        switch self {
        case .fixed(let filter): filter
        case .random: min(Int(uniform() * 2), 1) == 0 ? .bilinear : .bicubic
        }
    }
}
