import Foundation
import TensorEngine

/// Random erasing (Zhong et al.) with timm's `RandomErasing` semantics, on one normalised image
/// `[C, H, W]` (channel-planar floats, after `(x − mean) / std`), in place:
///
/// with probability `probability`, for each of `count` boxes (one unless set), up to
/// `maxAttempts` tries of area = U(scale)·H·W / count and aspect = exp(U(log ratio)) (h : w),
/// h = round(√(area·aspect)), w = round(√(area / aspect)) (rounded half to even, as Python's
/// `round`); the first try with h < H and w < W (strictly) is placed at top = randint(0, H − h),
/// left = randint(0, W − w) (inclusive) and filled. When no try fits, that box is skipped.
///
/// MindCV's keys map as `re_prob` → `probability`, `re_scale` → `scale`, `re_ratio` → `ratio`,
/// `re_max_attempts` → `maxAttempts` (timm always tries 10), and `re_value` → ``Fill``: a number
/// is ``Fill/constant(_:)`` of that value, three numbers are one per channel, `'random'` is
/// ``Fill/perPixelNormal`` — all in normalised units, as MindSpore's `RandomErasing(value:)`
/// fills after `Normalize`. MindSpore differs in where its boxes fall: it draws the aspect
/// uniformly in `ratio` (not log-uniformly) as w : h, w = round(√(area·aspect)) and
/// h = round(w / aspect); we follow timm.
public struct RandomErasing: Sendable, Equatable {
    /// What an erased box is filled with, in normalised units.
    public enum Fill: Sendable, Equatable {
        /// One value for every channel, or one per channel (timm's `const` mode is 0; MindCV's
        /// `re_value` number or list).
        case constant([Float])
        /// One N(0, 1) value per channel for each box (timm's `rand` mode).
        case perChannelNormal
        /// An N(0, 1) value for every pixel and channel (timm's `pixel` mode, MindCV's `'random'`).
        case perPixelNormal
    }

    /// An erased rectangle, in pixels.
    public struct Box: Sendable, Equatable {
        public let top: Int, left: Int, height: Int, width: Int
    }

    public var probability: Double
    /// Erased area as a fraction of the image (timm's min_area…max_area).
    public var scale: ClosedRange<Double>
    /// Aspect ratio h : w of the box (timm's min_aspect…max_aspect).
    public var ratio: ClosedRange<Double>
    public var fill: Fill
    public var maxAttempts: Int
    /// Boxes per erased image, drawn uniformly from the range (timm's min_count…max_count); the
    /// area range is divided by the number drawn.
    public var count: ClosedRange<Int>

    public init(probability: Double, scale: ClosedRange<Double> = 0.02...0.33, ratio: ClosedRange<Double> = 0.3...3.3,
                fill: Fill = .constant([0]), maxAttempts: Int = 10, count: ClosedRange<Int> = 1...1) {
        precondition((0...1).contains(probability), "RandomErasing: probability \(probability) is outside [0, 1]")
        precondition(scale.lowerBound >= 0 && ratio.lowerBound > 0 && count.lowerBound >= 1,
                     "RandomErasing: scale \(scale), ratio \(ratio) or count \(count) out of range")
        self.probability = probability
        self.scale = scale
        self.ratio = ratio
        self.fill = fill
        self.maxAttempts = maxAttempts
        self.count = count
    }

    /// Erases boxes of `planes` (`channels × height × width` floats) in place, drawing from
    /// `random`; returns the boxes erased (none when the image is left as it is).
    @discardableResult
    public func apply(to planes: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int,
                      random: inout RandomGenerator) -> [Box] {
        apply(to: planes, channels: channels, height: height, width: width,
              uniform: { random.nextUniformDouble() }, normal: { random.nextNormal() })
    }

    /// ``apply(to:channels:height:width:random:)`` with the draws supplied: `uniform` gives U(0, 1)
    /// in timm's order (the probability test, then per try the area and the aspect, then top and
    /// left), `normal` the N(0, 1) fill values in `[C, h, w]` order.
    func apply(to planes: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int,
               uniform: () -> Double, normal: () -> Float) -> [Box] {
        guard uniform() <= probability else { return [] }
        let boxes = count.lowerBound == count.upperBound
            ? count.lowerBound : count.lowerBound + Int(uniform() * Double(count.count))
        let logRatio = (log(ratio.lowerBound), log(ratio.upperBound))
        let area = Double(height * width)
        var erased: [Box] = []
        for _ in 0..<boxes {
            for _ in 0..<maxAttempts {
                let target = (scale.lowerBound + (scale.upperBound - scale.lowerBound) * uniform()) * area / Double(boxes)
                let aspect = exp(logRatio.0 + (logRatio.1 - logRatio.0) * uniform())
                let h = Int((target * aspect).squareRoot().rounded(.toNearestOrEven))
                let w = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
                guard w < width, h < height else { continue }
                let top = Int(uniform() * Double(height - h + 1)), left = Int(uniform() * Double(width - w + 1))
                let box = Box(top: top, left: left, height: h, width: w)
                paint(box, planes, channels: channels, height: height, width: width, normal: normal)
                erased.append(box)
                break
            }
        }
        return erased
    }

    func paint(_ box: Box, _ planes: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int,
               normal: () -> Float) {
        for channel in 0..<channels {
            let value: Float? = switch fill {
            case .constant(let values): values.isEmpty ? 0 : values[min(channel, values.count - 1)]
            case .perChannelNormal: normal()
            case .perPixelNormal: nil
            }
            for y in box.top..<(box.top + box.height) {
                let row = planes + (channel * height + y) * width
                for x in box.left..<(box.left + box.width) { row[x] = value ?? normal() }
            }
        }
    }
}
