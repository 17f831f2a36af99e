import TensorEngine
import Layers

/// Swin Transformer V2 for classification, `[B, C, H, W]` images → `[B, classes]` logits.
/// Parameter names are timm's (`patch_embed.proj.weight`, `layers.1.blocks.0.attn.q_bias`, `head.fc.weight`).
public final class SwinV2: Module {
    public let configuration: SwinV2Configuration
    let patchProjection: Conv2d
    let patchNorm: LayerNorm
    let stages: [SwinV2Stage]
    let norm: LayerNorm
    let head: Linear

    public init(_ configuration: SwinV2Configuration, seed: UInt64 = 0) throws {
        let configuration = try configuration.validated()
        self.configuration = configuration
        var random = RandomGenerator(seed: seed)
        let embed = configuration.embedDim, patch = configuration.patchSize
        patchProjection = Conv2d(configuration.inChannels, embed, kernel: (patch, patch), stride: (patch, patch), using: &random)
        patchNorm = LayerNorm(embed)
        // Stochastic depth grows linearly over all blocks, from 0 to drop_path_rate.
        let blockCount = configuration.depths.reduce(0, +)
        let rates = (0..<blockCount).map { blockCount > 1 ? configuration.dropPathRate * Float($0) / Float(blockCount - 1) : 0 }
        var stages: [SwinV2Stage] = []
        var first = 0
        for i in 0..<configuration.stageCount {
            let depth = configuration.depths[i]
            stages.append(SwinV2Stage(index: i, configuration: configuration,
                                      dropPathRates: Array(rates[first..<first + depth]), using: &random))
            first += depth
        }
        self.stages = stages
        let features = configuration.dimension(ofStage: configuration.stageCount - 1)
        norm = LayerNorm(features)
        head = Linear.transformerInitialized(features, configuration.classes, using: &random)
    }

    /// Features before the head, `[B, C, H, W]` → `[B, h, w, C_last]` (normalised).
    public func features(_ images: Tensor, _ context: ForwardContext) -> Tensor {
        var x = patchNorm(patchProjection.nonOverlappingPatches(image: images))
        for stage in stages { x = stage(x, context) }
        return norm(x)
    }

    /// Logits `[B, classes]`: features averaged over the map, dropout, then the classifier.
    public func callAsFunction(_ images: Tensor, _ context: ForwardContext) -> Tensor {
        var pooled = features(images, context).mean(axes: [1, 2])
        if configuration.dropRate > 0 {
            pooled = pooled.dropout(probability: configuration.dropRate, training: context.training, using: &context.random)
        }
        return head(pooled)
    }

    /// Names of the classifier's tensors, which may be re-initialised when the class count differs.
    public var classifierNames: Set<String> { ["head.fc.weight", "head.fc.bias"] }

    public func visitState(_ visitor: inout StateVisitor) {
        visitor.child("patch_embed.proj", patchProjection)
        visitor.child("patch_embed.norm", patchNorm)
        visitor.children("layers", stages)
        visitor.child("norm", norm)
        visitor.child("head.fc", head)
    }
}

/// One stage: an optional patch merge (stages after the first) then its blocks, alternating plain and
/// shifted windows.
final class SwinV2Stage: Module {
    let downsample: PatchMergingV2?
    let blocks: [SwinV2Block]

    init(index: Int, configuration: SwinV2Configuration, dropPathRates: [Float], using random: inout RandomGenerator) {
        let dimension = configuration.dimension(ofStage: index)
        downsample = index > 0
            ? PatchMergingV2(dimension: configuration.dimension(ofStage: index - 1), outDimension: dimension, using: &random)
            : nil
        let resolution = configuration.resolution(ofStage: index)
        blocks = dropPathRates.enumerated().map { b, rate in
            SwinV2Block(dimension: dimension, resolution: resolution, heads: configuration.heads[index],
                        targetWindow: configuration.windowSizes[index], shifted: b % 2 == 1,
                        pretrainedWindow: configuration.pretrainedWindowSizes[index], configuration: configuration,
                        dropPathRate: rate, using: &random)
        }
    }

    func callAsFunction(_ x: Tensor, _ context: ForwardContext) -> Tensor {
        var x = downsample.map { $0(x) } ?? x
        for block in blocks { x = block(x, context) }
        return x
    }

    func visitState(_ visitor: inout StateVisitor) {
        if let downsample { visitor.child("downsample", downsample) }
        visitor.children("blocks", blocks)
    }
}
