import Foundation
import TensorEngine

/// The training geometry for photographs, timm's `RandomResizedCropAndInterpolation` followed by
/// the flips (timm: horizontal; MindCV: horizontal, then vertical): a random region of the image
/// of area fraction in `scale` and aspect ratio in `ratio`, resized to `size` with the recipe's
/// filter (timm's `random` picks bilinear or bicubic per image), then flipped with the given
/// probabilities.
public struct RandomResizedCrop: Sendable, Equatable {
    public var height: Int, width: Int
    public var scale: ClosedRange<Double>
    public var ratio: ClosedRange<Double>
    public var interpolation: InterpolationChoice
    public var horizontalFlip: Double
    public var verticalFlip: Double

    public init(size: Int, scale: ClosedRange<Double> = 0.08...1, ratio: ClosedRange<Double> = 0.75...(4.0 / 3),
                interpolation: InterpolationChoice = .fixed(.bilinear), horizontalFlip: Double = 0.5, verticalFlip: Double = 0) {
        self.height = size
        self.width = size
        self.scale = scale
        self.ratio = ratio
        self.interpolation = interpolation
        self.horizontalFlip = horizontalFlip
        self.verticalFlip = verticalFlip
    }

    /// Everything drawn for one image: the plan of its resize and its flips.
    public struct Draw: Sendable, Equatable {
        public var plan: ResizePlan
        public var flip: ImageFlip
    }

    /// Draws one image's crop (``region(height:width:scale:ratio:uniform:)``), filter and flips,
    /// in timm's order, from uniforms in [0, 1).
    public func draw(height imageHeight: Int, width imageWidth: Int, uniform: () -> Double) -> Draw {
        let region = Self.region(height: imageHeight, width: imageWidth, scale: scale, ratio: ratio, uniform: uniform)
        let filter = interpolation.draw(uniform)
        var flip: ImageFlip = []
        if horizontalFlip > 0, uniform() < horizontalFlip { flip.insert(.horizontal) }
        if verticalFlip > 0, uniform() < verticalFlip { flip.insert(.vertical) }
        return Draw(plan: ResizePlan(region: region, width: width, height: height, filter: filter), flip: flip)
    }

    /// ``draw(height:width:uniform:)`` with the run's generator.
    public func draw(height: Int, width: Int, random: inout RandomGenerator) -> Draw {
        draw(height: height, width: width) { random.nextUniformDouble() }
    }

    /// timm's `RandomResizedCropAndInterpolation.get_params`: up to ten tries of an area
    /// U(scale)·H·W and an aspect exp(U(log ratio)), the width and height rounded half to even
    /// (Python's `round`), accepted when they fit, placed at randint(0, H − h), randint(0, W − w);
    /// else the whole image with its aspect clamped into `ratio`, centred (floor division).
    ///
    /// Each uniform u is one of Python's `random()` draws: uniform(a, b) = a + (b − a)·u and
    /// randint(a, b) = a + ⌊u·(b − a + 1)⌋. A zero width or height is refused like a misfit
    /// (torchvision's rule; timm would pass it on to a resize that fails).
    public static func region(height: Int, width: Int, scale: ClosedRange<Double>, ratio: ClosedRange<Double>,
                              uniform: () -> Double) -> PixelRegion {
        let area = Double(height * width)
        let logRatio = (log(ratio.lowerBound), log(ratio.upperBound))
        for _ in 0..<10 {
            let target = (scale.lowerBound + (scale.upperBound - scale.lowerBound) * uniform()) * area
            let aspect = exp(logRatio.0 + (logRatio.1 - logRatio.0) * uniform())
            let w = Int((target * aspect).squareRoot().rounded(.toNearestOrEven))
            let h = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
            if w > 0, h > 0, w <= width, h <= height {
                let top = randint(height - h, uniform())
                return PixelRegion(top: top, left: randint(width - w, uniform()), height: h, width: w)
            }
        }
        let inRatio = Double(width) / Double(height)
        var w = width, h = height
        if inRatio < ratio.lowerBound {
            h = Int((Double(w) / ratio.lowerBound).rounded(.toNearestOrEven))
        } else if inRatio > ratio.upperBound {
            w = Int((Double(h) * ratio.upperBound).rounded(.toNearestOrEven))
        }
        return PixelRegion(top: (height - h) / 2, left: (width - w) / 2, height: h, width: w)
    }

    /// randint(0, upper) from one uniform.
    static func randint(_ upper: Int, _ u: Double) -> Int { min(Int(u * Double(upper + 1)), upper) }
}
