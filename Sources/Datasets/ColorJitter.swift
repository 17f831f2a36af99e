import TensorEngine

/// torchvision's `ColorJitter`: brightness, contrast and saturation factors drawn from
/// `[max(0, 1 − s), 1 + s]`, a hue shift from `[−h, h]`, applied in a random order.
///
/// Works on an image's values on the 0–255 scale after the crop is resized, in float, clamping to
/// 0–255 after each adjustment (PIL also rounds to bytes between them; this does not). On a
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
        var steps: [(kind: Int, factor: Float)]

        /// Applies the adjustments to `values`, `channels` planes of `plane` values each.
        public func apply(to values: UnsafeMutablePointer<Float>, channels: Int, plane: Int) {
            for step in steps {
                switch step.kind {
                case 0: ColorJitterStrength.blend(values, count: channels * plane, with: { _ in 0 }, factor: step.factor)
                case 1:
                    let mean = ColorJitterStrength.meanLuma(values, channels: channels, plane: plane)
                    ColorJitterStrength.blend(values, count: channels * plane, with: { _ in mean }, factor: step.factor)
                case 2 where channels == 3:
                    for i in 0..<plane {
                        let luma = ColorJitterStrength.luma(values, i, plane)
                        for c in 0..<3 {
                            let v = values + c * plane + i
                            v.pointee = min(max(step.factor * v.pointee + (1 - step.factor) * luma, 0), 255)
                        }
                    }
                case 3 where channels == 3:
                    ColorJitterStrength.shiftHue(values, plane: plane, by: step.factor)
                default:
                    break
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
        func factor(_ strength: Double) -> Float {
            Float(max(0, 1 - strength) + (1 + strength - max(0, 1 - strength)) * random.nextUniformDouble())
        }
        let strengths = [brightness, contrast, saturation]
        var factors = [Float](repeating: 0, count: 4)
        for kind in 0..<3 where strengths[kind] > 0 { factors[kind] = factor(strengths[kind]) }
        if hue > 0 { factors[3] = Float(-hue + 2 * hue * random.nextUniformDouble()) }
        let active = [brightness, contrast, saturation, hue].map { $0 > 0 }
        return Draw(steps: order.filter { active[$0] }.map { ($0, factors[$0]) })
    }

    static func blend(_ values: UnsafeMutablePointer<Float>, count: Int, with other: (Int) -> Float, factor: Float) {
        for i in 0..<count { values[i] = min(max(factor * values[i] + (1 - factor) * other(i), 0), 255) }
    }

    /// ITU-R 601-2 luma of pixel `i` of a planar RGB image (PIL's `convert("L")` weights).
    static func luma(_ values: UnsafeMutablePointer<Float>, _ i: Int, _ plane: Int) -> Float {
        0.299 * values[i] + 0.587 * values[plane + i] + 0.114 * values[2 * plane + i]
    }

    /// The mean grey level of the image: the contrast adjustment's fixed point.
    static func meanLuma(_ values: UnsafeMutablePointer<Float>, channels: Int, plane: Int) -> Float {
        var sum = 0.0
        for i in 0..<plane { sum += Double(channels == 3 ? luma(values, i, plane) : values[i]) }
        return Float(sum / Double(plane))
    }

    /// Rotates each pixel's hue by `shift` turns (HSV, as torchvision's `adjust_hue`).
    static func shiftHue(_ values: UnsafeMutablePointer<Float>, plane: Int, by shift: Float) {
        for i in 0..<plane {
            let r = values[i], g = values[plane + i], b = values[2 * plane + i]
            let high = max(r, g, b), low = min(r, g, b), range = high - low
            guard range > 0 else { continue }
            var h: Float
            if high == r { h = (g - b) / range } else if high == g { h = 2 + (b - r) / range } else { h = 4 + (r - g) / range }
            h = h / 6 + shift
            h -= h.rounded(.down)
            let s = range / high, v = high
            let sector = h * 6, index = Int(sector) % 6, f = sector - sector.rounded(.down)
            let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
            let (nr, ng, nb): (Float, Float, Float) = switch index {
            case 0: (v, t, p)
            case 1: (q, v, p)
            case 2: (p, v, t)
            case 3: (p, q, v)
            case 4: (t, p, v)
            default: (v, p, q)
            }
            values[i] = nr
            values[plane + i] = ng
            values[2 * plane + i] = nb
        }
    }
}
