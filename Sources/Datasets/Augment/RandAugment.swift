import TensorEngine

/// RandAugment as timm's `RandAugment` runs it: per image, `layers` ops chosen from `ops` with
/// replacement (or, with `weights`, without replacement in proportion to them), each applied in
/// turn with its own probability and a magnitude drawn by `noise`.
public struct RandAugment: Sendable, Equatable {
    public var ops: [PolicyOp]
    /// Ops per image (timm's `n`, default 2).
    public var layers: Int
    /// Choice weights, one per op; `nil` chooses uniformly with replacement.
    public var weights: [Double]?
    public var noise: MagnitudeNoise
    /// Fraction of the side the relative translations move at level 10 (timm: 0.45).
    public var translatePercent: Double

    public init(ops: [PolicyOp], layers: Int = 2, weights: [Double]? = nil, noise: MagnitudeNoise = MagnitudeNoise(),
                translatePercent: Double = 0.45) {
        self.ops = ops
        self.layers = layers
        self.weights = weights
        self.noise = noise
        self.translatePercent = translatePercent
    }

    public func apply(to image: DecodedImage, settings: AugmentSettings, random: inout RandomGenerator) -> DecodedImage {
        let chosen: [Int]
        if let weights {
            chosen = random.nextWeightedSample(weights: weights, count: layers)
        } else {
            chosen = (0..<layers).map { _ in random.nextIndex(below: ops.count) }
        }
        var out = image
        for index in chosen {
            out = ops[index].apply(to: out, noise: noise, settings: settings, translatePercent: translatePercent, random: &random)
        }
        return out
    }

    /// timm's `_RAND_TRANSFORMS`: the 15 ops of the paper's RandAugment (without Cutout).
    public static let standardKinds: [AugmentOpKind] = [
        .autoContrast, .equalize, .invert, .rotate, .posterize, .solarize, .solarizeAdd, .color, .contrast,
        .brightness, .sharpness, .shearX, .shearY, .translateXRel, .translateYRel,
    ]

    /// timm's `_RAND_INCREASING_TRANSFORMS` (`inc1`): severity grows with the magnitude for every op.
    public static let increasingKinds: [AugmentOpKind] = [
        .autoContrast, .equalize, .invert, .rotate, .posterizeIncreasing, .solarizeIncreasing, .solarizeAdd,
        .colorIncreasing, .contrastIncreasing, .brightnessIncreasing, .sharpnessIncreasing, .shearX, .shearY,
        .translateXRel, .translateYRel,
    ]

    /// timm's `_RAND_3A` (`t3a`): DeiT III's three ops.
    public static let threeAugmentKinds: [AugmentOpKind] = [.solarizeIncreasing, .desaturate, .gaussianBlur]

    /// timm's `_RAND_WEIGHTED_3A` (`t3aw`), ops with choice weights.
    public static let weightedThreeAugment: [(AugmentOpKind, Double)] = [
        (.solarizeIncreasing, 6), (.desaturate, 6), (.gaussianBlur, 6), (.rotate, 3), (.shearX, 2), (.shearY, 2),
        (.posterizeIncreasing, 1), (.autoContrast, 1), (.colorIncreasing, 1), (.sharpnessIncreasing, 1),
        (.contrastIncreasing, 1), (.brightnessIncreasing, 1), (.equalize, 1), (.invert, 1),
    ]

    /// timm's `_RAND_WEIGHTED_0` (`tweights`), ops with choice weights.
    public static let weightedOps: [(AugmentOpKind, Double)] = [
        (.rotate, 3), (.shearX, 2), (.shearY, 2), (.translateXRel, 1), (.translateYRel, 1), (.colorIncreasing, 0.25),
        (.sharpnessIncreasing, 0.25), (.autoContrast, 0.25), (.solarizeIncreasing, 0.05), (.solarizeAdd, 0.05),
        (.contrastIncreasing, 0.05), (.brightnessIncreasing, 0.05), (.equalize, 0.05), (.posterizeIncreasing, 0.05),
        (.invert, 0.05),
    ]

    /// MindCV's `_RAND_TRANSFORMS` for `randaug`: timm's 15 without SolarizeAdd (its `TranslateX`
    /// is the relative translation).
    public static let mindCVKinds: [AugmentOpKind] = standardKinds.filter { $0 != .solarizeAdd }

    /// MindCV's `_RAND_INCREASING_TRANSFORMS` (`randaug-…-inc1`): timm's increasing list without SolarizeAdd.
    public static let mindCVIncreasingKinds: [AugmentOpKind] = increasingKinds.filter { $0 != .solarizeAdd }

    /// MindCV's `_RAND_CHOICE_WEIGHTS_0` (`randaug-…-w0`), by position in MindCV's list; they are
    /// normalised to sum to one. Invert's weight is 0: it is never chosen.
    public static let mindCVWeights: [Double] = [
        0.025, 0.005, 0, 0.3, 0.005, 0.005, 0.025, 0.005, 0.005, 0.025, 0.2, 0.2, 0.1, 0.1,
    ]
}
