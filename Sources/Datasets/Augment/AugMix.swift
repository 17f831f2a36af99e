import TensorEngine

/// AugMix as timm's `AugMixAugment` runs it: `width` chains, each of `depth` ops (1–3 at random
/// when `depth` ≤ 0) chosen with replacement from `ops` and applied to the original image;
/// chain weights ~ Dirichlet(alpha, …) and a final blend m ~ Beta(alpha, alpha), both rounded to
/// single precision as timm does.
///
/// - Basic (timm's default): the chains are summed with their weights in single precision,
///   clipped to 0–255 and truncated to bytes, then `Image.blend(image, mixed, m)`.
/// - Blended (`-b1`): each chain is blended into the running result in turn with weights derived
///   so that the result approximates the basic mix (timm notes the two "differ by more than rounding").
public struct AugMix: Sendable, Equatable {
    public var ops: [PolicyOp]
    public var alpha: Double
    public var width: Int
    /// Ops per chain; ≤ 0 draws 1, 2 or 3 per chain.
    public var depth: Int
    public var blended: Bool
    public var noise: MagnitudeNoise
    /// Fraction of the side the relative translations move at level 10 (timm sets 0.3 for AugMix).
    public var translatePercent: Double

    public init(ops: [PolicyOp], alpha: Double = 1, width: Int = 3, depth: Int = -1, blended: Bool = false,
                noise: MagnitudeNoise = MagnitudeNoise(std: .infinity), translatePercent: Double = 0.3) {
        self.ops = ops
        self.alpha = alpha
        self.width = width
        self.depth = depth
        self.blended = blended
        self.noise = noise
        self.translatePercent = translatePercent
    }

    /// timm's `_AUGMIX_TRANSFORMS`, each with probability 1 at `magnitude`.
    public static func defaultOps(magnitude: Double) -> [PolicyOp] {
        let kinds: [AugmentOpKind] = [
            .autoContrast, .colorIncreasing, .contrastIncreasing, .brightnessIncreasing, .sharpnessIncreasing,
            .equalize, .rotate, .posterizeIncreasing, .solarizeIncreasing, .shearX, .shearY, .translateXRel, .translateYRel,
        ]
        return kinds.map { PolicyOp($0, probability: 1, magnitude: magnitude) }
    }

    public func apply(to image: DecodedImage, settings: AugmentSettings, random: inout RandomGenerator) -> DecodedImage {
        let weights = random.nextDirichlet(alpha: alpha, count: width).map { Float($0) }
        let m = Float(random.nextBeta(alpha, alpha))
        var chains: [DecodedImage] = []
        for _ in 0..<width {
            let length = depth > 0 ? depth : 1 + random.nextIndex(below: 3)
            var chain = image
            for _ in 0..<length {
                let op = ops[random.nextIndex(below: ops.count)]
                chain = op.apply(to: chain, noise: noise, settings: settings, translatePercent: translatePercent, random: &random)
            }
            chains.append(chain)
        }
        return blended ? Self.mixBlended(image, chains: chains, weights: weights, m: m)
                       : Self.mix(image, chains: chains, weights: weights, m: m)
    }

    /// timm's `_apply_basic` given the chains' outputs: Σ wᵢ·chainᵢ in single precision, clipped to
    /// 0–255, truncated, then blended with the original at `m`.
    public static func mix(_ image: DecodedImage, chains: [DecodedImage], weights: [Float], m: Float) -> DecodedImage {
        var sum = [Float](repeating: 0, count: image.pixels.count)
        for (chain, weight) in zip(chains, weights) {
            for i in sum.indices { sum[i] += weight * Float(chain.pixels[i]) }
        }
        let mixed = DecodedImage(height: image.height, width: image.width, channels: image.channels,
                                 pixels: sum.map { UInt8(min(max($0, 0), 255)) })
        return EnhanceOps.blend(image, mixed, alpha: Double(m))
    }

    /// timm's `_apply_blended` given the chains' outputs: the weights become wᵢ·m, then, from the
    /// last, αᵢ = wᵢ / Π(1 − αⱼ) over the later j (single precision); the result starts as the
    /// original and blends in chain i with αᵢ, first to last.
    public static func mixBlended(_ image: DecodedImage, chains: [DecodedImage], weights: [Float], m: Float) -> DecodedImage {
        var alphas = [Float](repeating: 0, count: weights.count)
        var remaining: Float = 1
        for i in weights.indices.reversed() {
            let alpha = weights[i] * m / remaining
            remaining *= 1 - alpha
            alphas[i] = alpha
        }
        var out = image
        for (chain, alpha) in zip(chains, alphas) { out = EnhanceOps.blend(out, chain, alpha: Double(alpha)) }
        return out
    }
}
