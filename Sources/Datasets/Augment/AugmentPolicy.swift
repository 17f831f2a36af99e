import TensorEngine

/// The filter geometric ops resample with.
public enum AugmentInterpolation: Sendable, Equatable {
    /// One filter for every op (MindCV passes the recipe's `interpolation`; tests fix it).
    case fixed(Resampling)
    /// Bilinear or bicubic, drawn with equal probability at every geometric op (timm's training
    /// default, `train_interpolation: random`).
    case random

    /// The filter for one op call.
    public func draw(random: inout RandomGenerator) -> Resampling {
        switch self {
        case .fixed(let resampling): resampling
        case .random: random.nextIndex(below: 2) == 0 ? .bilinear : .bicubic
        }
    }
}

/// What every policy needs from the run rather than from its `auto_augment` string.
public struct AugmentSettings: Sendable, Equatable {
    /// Colour of the pixels geometric ops uncover, per channel (timm's `img_mean`; a grey image
    /// uses the first value). TrivialAugmentWide keeps torchvision's own fill, 0.
    public var fill: [UInt8]
    public var interpolation: AugmentInterpolation

    public init(fill: [UInt8] = [124, 116, 104], interpolation: AugmentInterpolation = .random) {
        self.fill = fill
        self.interpolation = interpolation
    }

    /// The fill from a per-channel mean on the 0–255 scale (MindCV's `mean`), as timm and MindCV
    /// derive `img_mean`: each value rounded half to even, at most 255. ImageNet's mean gives
    /// (124, 116, 104).
    public init(mean: [Double], interpolation: AugmentInterpolation) {
        self.init(fill: mean.map { UInt8(min(255, max(0, $0.rounded(.toNearestOrEven)))) }, interpolation: interpolation)
    }
}

/// An augmentation policy parsed from a recipe's `auto_augment` string, applied to each training
/// image after the random resized crop and flip and before normalisation (where timm's
/// `transforms_imagenet_train` and MindCV's `transforms_imagenet_train` put it).
///
/// ```swift
/// let policy = try AugmentPolicy(parsing: "rand-m9-mstd0.5-inc1")
/// let settings = AugmentSettings(mean: [123.675, 116.28, 103.53], interpolation: .fixed(.bilinear))
/// let augmented = policy.apply(to: image, settings: settings, random: &random)
/// ```
///
/// ## Spellings
///
/// The first dash-separated section names the policy; the others, in any order, set it:
///
/// | string | policy | sections (default) |
/// |---|---|---|
/// | `rand-…` (timm) | ``RandAugment`` | `m` magnitude (10), `n` ops (2), `p` probability (0.5), `mstd` noise (0; > 100 uniform), `mmax` clip (10), `inc` increasing ops (0), `t` op set: `weights`, `3a`, `3aw` |
/// | `randaug-…` (MindCV) | ``RandAugment`` over MindCV's 14 ops | `m`, `n`, `mstd` (0.5), `mmax`, `inc`, `w0` MindCV's choice weights |
/// | `original`, `originalr`, `v0`, `v0r`, `3a` (timm) | ``AutoAugment`` | `mstd` (0) |
/// | `autoaug`, `autoaugr` (MindCV) | ``AutoAugment`` `original` / `originalr` | `mstd` (0.5) |
/// | `augmix-…` | ``AugMix`` | `m` severity (3), `w` width (3), `d` depth (random 1–3), `a` alpha (1), `b` blended (0), `mstd` (uniform) |
/// | `trivialaugwide` (MindCV's name) | torchvision's ``TrivialAugmentWide`` | `m` magnitude bins (31) |
///
/// A section is letters then a value (`mstd0.5`); an unknown policy or section, a missing or
/// malformed value, a repeated section or an empty one is an ``AugmentPolicyError`` naming it
/// (timm skips sections without a digit and asserts on unknown ones).
///
/// ## Where MindCV differs from timm, and what we follow
///
/// MindCV's `auto_augment.py` adapts timm's, but runs the ops through MindSpore and changes
/// some choices. We keep MindCV's spellings, op lists and defaults, and perform every op, with
/// its magnitude mapping, as timm does with Pillow:
/// - `randaug` has no SolarizeAdd (14 ops) and its magnitude noise defaults to 0.5; MindCV
///   sets that default before reading the string, so the string's `mstd` has no effect there.
///   Here the string's `mstd` wins. Same for `autoaug`/`autoaugr` (0.5, string ignored by MindCV).
/// - MindCV reads `inc` with `bool("0")`, so `inc0` also selects the increasing ops; here `inc0`
///   means off.
/// - MindCV's shears go to MindSpore's `RandomAffine`, which takes degrees, so a level-10 shear
///   of 0.3 tilts by 0.3° rather than by a factor 0.3; here the factor is timm's.
/// - MindCV's Posterize passes max(8 − bits, 1) as the bits to keep, inverting the op's
///   direction; here Posterize keeps timm's bit counts (0 bits gives black, as Pillow 12 does).
/// - MindCV's Solarize thresholds are int(255·l), timm's min(256, int(256·l)); here timm's.
/// - MindCV blends AugMix's final mix in floating point without rounding to bytes and has no
///   `b`/`mstd` sections; here timm's byte blend and sections.
/// - MindCV's `3a` blurs with a 3 × 3 kernel of σ = U(0.1, 2); here Pillow's box-blur Gaussian of
///   that radius, as timm does.
/// - MindCV's random interpolation draws among nearest, bilinear, bicubic and area, but it always
///   passes the recipe's filter instead; timm draws bilinear or bicubic. ``AugmentSettings``
///   carries the choice.
/// - `trivialaugwide` is torchvision's TrivialAugmentWide here (see ``TrivialAugmentWide`` for
///   how MindCV's differs); MindCV's `m` leaves the distribution unchanged (the level is divided
///   by it), here it is torchvision's number of bins.
public enum AugmentPolicy: Sendable, Equatable {
    case randAugment(RandAugment)
    case autoAugment(AutoAugment)
    case augMix(AugMix)
    case trivialAugmentWide(TrivialAugmentWide)

    /// The policy an `auto_augment` string names (see the table above).
    public init(parsing recipe: String) throws(AugmentPolicyError) {
        self = try AugmentPolicyParser(recipe).parse()
    }

    /// The policy applied to one image (8-bit `[H, W, C]`, C = 1 or 3), drawing from `random`.
    public func apply(to image: DecodedImage, settings: AugmentSettings, random: inout RandomGenerator) -> DecodedImage {
        switch self {
        case .randAugment(let policy): policy.apply(to: image, settings: settings, random: &random)
        case .autoAugment(let policy): policy.apply(to: image, settings: settings, random: &random)
        case .augMix(let policy): policy.apply(to: image, settings: settings, random: &random)
        case .trivialAugmentWide(let policy): policy.apply(to: image, settings: settings, random: &random)
        }
    }
}
