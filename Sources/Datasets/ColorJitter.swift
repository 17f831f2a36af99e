import TensorEngine

/// torchvision's `ColorJitter` on PIL images: brightness, contrast and saturation factors drawn
/// from `[max(0, 1 − s), 1 + s]`, a hue shift from `[−h, h]`, applied in a random order, each
/// adjustment on 8-bit pixels as PIL performs it (`ImageEnhance.Brightness`, `Contrast`, `Color`,
/// and the HSV hue shift of ``HueShift``), so a drawn jitter gives torchvision's bytes. On a
/// one-channel image saturation and hue change nothing, as in torchvision, but are still drawn.
public struct ColorJitterStrength: Sendable, Equatable {
    public var brightness: Double
    public var contrast: Double
    public var saturation: Double
    /// At most 0.5 (half the hue circle).
    public var hue: Double

    public init(brightness: Double = 0, contrast: Double = 0, saturation: Double = 0, hue: Double = 0) {
        precondition(hue <= 0.5, "ColorJitterStrength: hue \(hue) is above 0.5")
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue
    }

    /// No jitter: nothing is drawn, nothing changes.
    public static let none = ColorJitterStrength()

    /// One image's factors and the order to apply them in.
    public struct Draw: Sendable {
        /// Adjustment index (0 brightness, 1 contrast, 2 saturation, 3 hue) and its factor; the
        /// ones whose strength is 0 are left out.
        var steps: [(kind: Int, factor: Double)]

        /// The adjustments applied to `image` (`[H, W, C]` bytes, C = 1 or 3) in the drawn order.
        public func apply(to image: DecodedImage) -> DecodedImage {
            steps.reduce(image) { image, step in
                switch step.kind {
                case 0: EnhanceOps.brightness(image, factor: step.factor)
                case 1: EnhanceOps.contrast(image, factor: step.factor)
                case 2: EnhanceOps.color(image, factor: step.factor)
                default: HueShift.apply(image, factor: step.factor)
                }
            }
        }
    }

    /// Draws the order and the factors, as torchvision's `ColorJitter.get_params`; `nil` (and no
    /// draw at all) when every strength is 0.
    public func draw(using random: inout RandomGenerator) -> Draw? {
        guard self != .none else { return nil }
        var order = [0, 1, 2, 3]
        for i in stride(from: 3, to: 0, by: -1) { order.swapAt(i, random.nextIndex(below: i + 1)) }
        func factor(_ strength: Double) -> Double {
            max(0, 1 - strength) + (1 + strength - max(0, 1 - strength)) * random.nextUniformDouble()
        }
        let strengths = [brightness, contrast, saturation]
        var factors = [Double](repeating: 0, count: 4)
        for kind in 0..<3 where strengths[kind] > 0 { factors[kind] = factor(strengths[kind]) }
        if hue > 0 { factors[3] = -hue + 2 * hue * random.nextUniformDouble() }
        let active = [brightness, contrast, saturation, hue].map { $0 > 0 }
        return Draw(steps: order.filter { active[$0] }.map { ($0, factors[$0]) })
    }
}
