import TensorEngine

/// AutoAugment as timm's `AutoAugment` runs it: per image one sub-policy chosen uniformly, its ops
/// applied in turn, each with its own probability and magnitude (drawn by `noise`).
public struct AutoAugment: Sendable, Equatable {
    /// timm's named policies.
    public enum Name: String, Sendable, CaseIterable {
        /// The paper's ImageNet policy; Posterize keeps int(4·l) + 4 bits (`PosterizeOriginal`).
        case original
        /// The paper's policy with the research code's Posterize (`PosterizeIncreasing`).
        case originalr
        /// TPU EfficientNet's ImageNet policy ("v0"); Posterize keeps int(4·l) bits.
        case v0
        /// v0 with `PosterizeIncreasing`.
        case v0r
        /// DeiT III's 3-Augment: Solarize, Desaturate or GaussianBlurRand, one per image.
        case threeAugment = "3a"
    }

    public var subPolicies: [[PolicyOp]]
    public var noise: MagnitudeNoise
    public var translatePercent: Double

    public init(subPolicies: [[PolicyOp]], noise: MagnitudeNoise = MagnitudeNoise(), translatePercent: Double = 0.45) {
        self.subPolicies = subPolicies
        self.noise = noise
        self.translatePercent = translatePercent
    }

    public init(_ name: Name, noise: MagnitudeNoise = MagnitudeNoise()) {
        self.init(subPolicies: Self.subPolicies(name), noise: noise)
    }

    public func apply(to image: DecodedImage, settings: AugmentSettings, random: inout RandomGenerator) -> DecodedImage {
        var out = image
        for op in subPolicies[random.nextIndex(below: subPolicies.count)] {
            out = op.apply(to: out, noise: noise, settings: settings, translatePercent: translatePercent, random: &random)
        }
        return out
    }

    typealias Entry = (AugmentOpKind, Double, Double)

    /// timm's sub-policies for `name`: pairs of (op, probability, magnitude).
    public static func subPolicies(_ name: Name) -> [[PolicyOp]] {
        let table: [[Entry]]
        switch name {
        case .original, .originalr:
            let posterize: AugmentOpKind = name == .original ? .posterizeOriginal : .posterizeIncreasing
            table = original(posterize)
        case .v0, .v0r:
            table = v0(name == .v0 ? .posterize : .posterizeIncreasing)
        case .threeAugment:
            table = [[(.solarize, 1.0, 5)], [(.desaturate, 1.0, 10)], [(.gaussianBlurRand, 1.0, 10)]]
        }
        return table.map { $0.map { PolicyOp($0.0, probability: $0.1, magnitude: $0.2) } }
    }

    /// The AutoAugment paper's ImageNet policy (timm's `auto_augment_policy_original`).
    static func original(_ posterize: AugmentOpKind) -> [[Entry]] {
        [
            [(posterize, 0.4, 8), (.rotate, 0.6, 9)], [(.solarize, 0.6, 5), (.autoContrast, 0.6, 5)],
            [(.equalize, 0.8, 8), (.equalize, 0.6, 3)], [(posterize, 0.6, 7), (posterize, 0.6, 6)],
            [(.equalize, 0.4, 7), (.solarize, 0.2, 4)], [(.equalize, 0.4, 4), (.rotate, 0.8, 8)],
            [(.solarize, 0.6, 3), (.equalize, 0.6, 7)], [(posterize, 0.8, 5), (.equalize, 1.0, 2)],
            [(.rotate, 0.2, 3), (.solarize, 0.6, 8)], [(.equalize, 0.6, 8), (posterize, 0.4, 6)],
            [(.rotate, 0.8, 8), (.color, 0.4, 0)], [(.rotate, 0.4, 9), (.equalize, 0.6, 2)],
            [(.equalize, 0.0, 7), (.equalize, 0.8, 8)], [(.invert, 0.6, 4), (.equalize, 1.0, 8)],
            [(.color, 0.6, 4), (.contrast, 1.0, 8)], [(.rotate, 0.8, 8), (.color, 1.0, 2)],
            [(.color, 0.8, 8), (.solarize, 0.8, 7)], [(.sharpness, 0.4, 7), (.invert, 0.6, 8)],
            [(.shearX, 0.6, 5), (.equalize, 1.0, 9)], [(.color, 0.4, 0), (.equalize, 0.6, 3)],
            [(.equalize, 0.4, 7), (.solarize, 0.2, 4)], [(.solarize, 0.6, 5), (.autoContrast, 0.6, 5)],
            [(.invert, 0.6, 4), (.equalize, 1.0, 8)], [(.color, 0.6, 4), (.contrast, 1.0, 8)],
            [(.equalize, 0.8, 8), (.equalize, 0.6, 3)],
        ]
    }

    /// TPU EfficientNet's "v0" ImageNet policy (timm's `auto_augment_policy_v0`).
    static func v0(_ posterize: AugmentOpKind) -> [[Entry]] {
        [
            [(.equalize, 0.8, 1), (.shearY, 0.8, 4)], [(.color, 0.4, 9), (.equalize, 0.6, 3)],
            [(.color, 0.4, 1), (.rotate, 0.6, 8)], [(.solarize, 0.8, 3), (.equalize, 0.4, 7)],
            [(.solarize, 0.4, 2), (.solarize, 0.6, 2)], [(.color, 0.2, 0), (.equalize, 0.8, 8)],
            [(.equalize, 0.4, 8), (.solarizeAdd, 0.8, 3)], [(.shearX, 0.2, 9), (.rotate, 0.6, 8)],
            [(.color, 0.6, 1), (.equalize, 1.0, 2)], [(.invert, 0.4, 9), (.rotate, 0.6, 0)],
            [(.equalize, 1.0, 9), (.shearY, 0.6, 3)], [(.color, 0.4, 7), (.equalize, 0.6, 0)],
            [(posterize, 0.4, 6), (.autoContrast, 0.4, 7)], [(.solarize, 0.6, 8), (.color, 0.6, 9)],
            [(.solarize, 0.2, 4), (.rotate, 0.8, 9)], [(.rotate, 1.0, 7), (.translateYRel, 0.8, 9)],
            [(.shearX, 0.0, 0), (.solarize, 0.8, 4)], [(.shearY, 0.8, 0), (.color, 0.6, 4)],
            [(.color, 1.0, 0), (.rotate, 0.6, 2)], [(.equalize, 0.8, 4), (.equalize, 0.0, 8)],
            [(.equalize, 1.0, 4), (.autoContrast, 0.6, 2)], [(.shearY, 0.4, 7), (.solarizeAdd, 0.6, 7)],
            [(posterize, 0.8, 2), (.solarize, 0.6, 10)], [(.solarize, 0.6, 8), (.equalize, 0.6, 1)],
            [(.color, 0.8, 6), (.rotate, 0.4, 5)],
        ]
    }
}
