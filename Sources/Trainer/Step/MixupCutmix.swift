import TensorEngine
import Datasets

/// Mixup and CutMix on whole batches, with soft targets: timm's `Mixup` in batch mode as MindCV
/// configures it from the recipe (`mixup` → `mixup_alpha`, `cutmix` → `cutmix_alpha`,
/// `cutmix_prob` → `prob`, `switch_prob` 0.5, `correct_lam` on).
///
/// Per batch: with probability ``probability`` the batch is mixed, otherwise left as it is. When
/// both α are positive, cutmix is chosen with probability ``switchProbability``, else mixup; with
/// one α positive, that one. λ ~ Beta(α, α) of the chosen method; λ = 1 leaves the images as they
/// are. Each image's partner is the image at the mirrored position, B − 1 − i. Mixup makes
/// λ·x + (1 − λ)·partner; CutMix pastes the partner's pixels inside a ``CutmixBox`` common to the
/// batch and corrects λ to the fraction of pixels kept. Targets are
/// λ·onehot(label) + (1 − λ)·onehot(partner's label), each one-hot smoothed to off = ε/K,
/// on = 1 − ε + ε/K with ε the recipe's `label_smoothing` (timm's placement). MindCV instead passes
/// ε = 0 here and smooths the mixed targets in its loss, (1 − ε)·y + ε/K; both give the same
/// targets because smoothing is affine and the two weights sum to 1. The loss must therefore not
/// smooth soft targets again (``ClassificationObjective`` does not).
///
/// `cutmix_prob` is the probability of mixing a batch at all, not of choosing cutmix: MindCV's
/// loader hands it to timm's `prob`. timm requires an even batch; here an odd batch's middle image
/// is its own partner, so it keeps its pixels and its plain (smoothed) one-hot target. Every batch
/// the transform sees gets soft targets, mixed or not, so the loss is the same function throughout.
/// The result depends only on the batch and the random generator.
public struct MixupCutmix: BatchTransform {
    /// Mixup's α (`mixup`); 0 turns mixup off.
    public let mixupAlpha: Double
    /// CutMix's α (`cutmix`); 0 turns cutmix off.
    public let cutmixAlpha: Double
    /// Probability that a batch is mixed at all (`cutmix_prob`).
    public let probability: Double
    /// Probability of cutmix rather than mixup when both are on.
    public let switchProbability: Double
    /// ε, folded into the targets.
    public let labelSmoothing: Float
    /// K, the width of the targets: the classifier's outputs.
    public let classes: Int

    public init(mixupAlpha: Double, cutmixAlpha: Double, probability: Double = 1, switchProbability: Double = 0.5,
                labelSmoothing: Float = 0, classes: Int) {
        precondition(mixupAlpha > 0 || cutmixAlpha > 0, "MixupCutmix: mixup or cutmix α must be positive")
        precondition(classes >= 1, "MixupCutmix: \(classes) classes")
        self.mixupAlpha = mixupAlpha
        self.cutmixAlpha = cutmixAlpha
        self.probability = probability
        self.switchProbability = switchProbability
        self.labelSmoothing = labelSmoothing
        self.classes = classes
    }

    public func callAsFunction(_ batch: Batch, random: inout RandomGenerator) -> Batch {
        let shape = batch.images.shape
        return apply(draw(height: shape[2], width: shape[3], random: &random), to: batch)
    }

    /// The mix of one batch of `height` × `width` images, drawn in timm's order: whether to mix,
    /// which method, λ, then the box centre's row and column.
    public func draw(height: Int, width: Int, random: inout RandomGenerator) -> BatchMix {
        guard random.nextUniformDouble() < probability else { return .unmixed }
        let cutmix = mixupAlpha > 0 && cutmixAlpha > 0 ? random.nextUniformDouble() < switchProbability : cutmixAlpha > 0
        let alpha = cutmix ? cutmixAlpha : mixupAlpha
        let lambda = BetaDistribution(alpha, alpha).sample(using: &random)
        guard lambda < 1 else { return .unmixed }
        guard cutmix else { return .mixup(lambda: lambda) }
        let centerY = random.nextIndex(below: height)
        let centerX = random.nextIndex(below: width)
        return .cutmix(CutmixBox(height: height, width: width, lambda: lambda, centerY: centerY, centerX: centerX))
    }

    /// `batch` mixed as `mix` says, with its soft targets `[B, classes]`; `labels` stay the unmixed ones.
    public func apply(_ mix: BatchMix, to batch: Batch) -> Batch {
        let images: Tensor = switch mix {
        case .unmixed: batch.images
        case .mixup(let lambda): Self.blendWithPartners(batch.images, lambda: lambda)
        case .cutmix(let box): Self.pastePartners(batch.images, box: box)
        }
        return Batch(images: images, labels: batch.labels, softTargets: targets(batch.labels, lambda: mix.lambda))
    }

    /// λ·onehot(label) + (1 − λ)·onehot(partner's label) per row, one-hots smoothed by ε.
    public func targets(_ labels: [Int32], lambda: Double) -> Tensor {
        let count = labels.count
        let off = labelSmoothing / Float(classes), on = 1 - labelSmoothing + off
        let own = Float(lambda), partner = Float(1 - lambda)
        let result = Tensor(uninitializedShape: [count, classes])
        let out = result.data
        for row in 0..<count {
            let label = Int(labels[row]), partnerLabel = Int(labels[count - 1 - row])
            precondition((0..<classes).contains(label), "MixupCutmix: label \(label) is outside 0..<\(classes)")
            let target = out + row * classes
            for column in 0..<classes {
                target[column] = (column == label ? on : off) * own + (column == partnerLabel ? on : off) * partner
            }
        }
        return result
    }

    /// λ·x[i] + (1 − λ)·x[B − 1 − i] for images `[B, C, H, W]`.
    static func blendWithPartners(_ images: Tensor, lambda: Double) -> Tensor {
        let count = images.shape[0], plane = images.count / max(count, 1)
        let own = Float(lambda), partner = Float(1 - lambda)
        let result = Tensor(uninitializedShape: images.shape)
        let source = images.data, out = result.data
        parallelFor(count) { range in
            for sample in range {
                let x = source + sample * plane, y = source + (count - 1 - sample) * plane, z = out + sample * plane
                for i in 0..<plane { z[i] = x[i] * own + y[i] * partner }
            }
        }
        return result
    }

    /// Images `[B, C, H, W]` with the box of each image replaced by its partner's pixels.
    static func pastePartners(_ images: Tensor, box: CutmixBox) -> Tensor {
        let shape = images.shape
        let count = shape[0], channels = shape[1], height = shape[2], width = shape[3]
        precondition(box.height == height && box.width == width, "MixupCutmix: box for \(box.height)×\(box.width) images, batch of \(height)×\(width)")
        let plane = channels * height * width, columns = box.right - box.left
        let result = images.copy()
        let source = images.data, out = result.data
        guard columns > 0 else { return result }
        parallelFor(count) { range in
            for sample in range {
                let partner = count - 1 - sample
                for channel in 0..<channels {
                    for row in box.top..<box.bottom {
                        let offset = channel * height * width + row * width + box.left
                        (out + sample * plane + offset).update(from: source + partner * plane + offset, count: columns)
                    }
                }
            }
        }
        return result
    }
}
