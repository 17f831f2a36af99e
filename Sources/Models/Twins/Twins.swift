import TensorEngine
import Layers

/// Twins (SVT and PCPVT) for classification, `[B, C, H, W]` → `[B, classes]`, with timm's parameter
/// names (`patch_embeds.0.proj.weight`, `blocks.2.1.attn.kv.weight`, `pos_block.0.proj.0.weight`, `head.weight`).
public final class Twins: Module {
    public let configuration: TwinsConfiguration
    let patchEmbeddings: [TwinsPatchEmbedding]
    let stages: [[TwinsBlock]]
    let positionGenerators: [PositionEncodingGenerator]
    let norm: LayerNorm
    let head: Linear

    public init(_ configuration: TwinsConfiguration, seed: UInt64 = 0) throws {
        let c = try configuration.validated()
        self.configuration = c
        var random = RandomGenerator(seed: seed)
        var embeddings: [TwinsPatchEmbedding] = []
        var previous = c.inChannels
        for i in 0..<c.stageCount {
            embeddings.append(TwinsPatchEmbedding(inChannels: previous, dimension: c.embedDims[i],
                                                  patch: i == 0 ? c.patchSize : 2, using: &random))
            previous = c.embedDims[i]
        }
        patchEmbeddings = embeddings
        let total = c.depths.reduce(0, +)
        let rates = (0..<total).map { total > 1 ? c.dropPathRate * Float($0) / Float(total - 1) : 0 }
        var stages: [[TwinsBlock]] = []
        var index = 0
        for k in 0..<c.stageCount {
            var blocks: [TwinsBlock] = []
            for i in 0..<c.depths[k] {
                // SVT alternates local windows (even blocks) with global sub-sampled attention.
                let window = c.windowSizes.map { i % 2 == 1 ? 1 : $0[k] } ?? 1
                blocks.append(TwinsBlock(dimension: c.embedDims[k], heads: c.heads[k], mlpRatio: c.mlpRatios[k],
                                         window: window, subsamplingRatio: c.subsamplingRatios[k], configuration: c,
                                         dropPathRate: rates[index], using: &random))
                index += 1
            }
            stages.append(blocks)
        }
        self.stages = stages
        positionGenerators = c.embedDims.map { PositionEncodingGenerator(dimension: $0, using: &random) }
        norm = LayerNorm(c.embedDims.last!, epsilon: 1e-6)
        head = Linear.transformerInitialized(c.embedDims.last!, c.classes, using: &random)
    }

    /// Tokens of the last stage `[B, h·w, C]`, normalised.
    public func features(_ images: Tensor, _ context: ForwardContext) -> Tensor {
        var (tokens, height, width) = patchEmbeddings[0](image: images)
        for i in 0..<stages.count {
            if i > 0 { (tokens, height, width) = patchEmbeddings[i](tokens: tokens, height: height, width: width) }
            for (j, block) in stages[i].enumerated() {
                tokens = block(tokens, height: height, width: width, context)
                if j == 0 { tokens = positionGenerators[i](tokens, height: height, width: width) }
            }
        }
        return norm(tokens)
    }

    public func callAsFunction(_ images: Tensor, _ context: ForwardContext) -> Tensor {
        var pooled = features(images, context).mean(axes: [1])
        if configuration.dropRate > 0 {
            pooled = pooled.dropout(probability: configuration.dropRate, training: context.training, using: &context.random)
        }
        return head(pooled)
    }

    public var classifierNames: Set<String> { ["head.weight", "head.bias"] }
    public var imageSize: Int { configuration.imageSize }
    public var inChannels: Int { configuration.inChannels }

    public func visitState(_ visitor: inout StateVisitor) {
        visitor.children("patch_embeds", patchEmbeddings)
        for (k, blocks) in stages.enumerated() { visitor.children("blocks.\(k)", blocks) }
        visitor.children("pos_block", positionGenerators)
        visitor.child("norm", norm)
        visitor.child("head", head)
    }
}

extension Twins: ClassificationModel {
    /// timm's: the position-embedding generators (`pos_block`) by keyword.
    public var noWeightDecay: (names: Set<String>, keywords: [String]) { ([], ["pos_block"]) }
}

/// Patch embedding, the image `[B, C, H, W]` or the previous stage's tokens `[B, H·W, C]` → tokens
/// `[B, (H/p)·(W/p), D]` normalised (eps 1e-5), with the map size.
final class TwinsPatchEmbedding: Module {
    let projection: Conv2d
    let norm: LayerNorm

    init(inChannels: Int, dimension: Int, patch: Int, using random: inout RandomGenerator) {
        projection = Conv2d.twinsInitialized(inChannels, dimension, kernel: patch, stride: patch, padding: 0, groups: 1, using: &random)
        norm = LayerNorm(dimension)
    }

    func callAsFunction(image x: Tensor) -> (Tensor, Int, Int) {
        tokens(of: projection.nonOverlappingPatches(image: x))
    }

    /// `[B, H', W', D]` → normalised `[B, H'·W', D]`, H', W'.
    private func tokens(of map: Tensor) -> (Tensor, Int, Int) {
        let (b, h, w, d) = (map.shape[0], map.shape[1], map.shape[2], map.shape[3])
        return (norm(map.reshaped([b, h * w, d])), h, w)
    }

    /// Later stages embed the token map as it is, channels last.
    func callAsFunction(tokens: Tensor, height: Int, width: Int) -> (Tensor, Int, Int) {
        self.tokens(of: projection.nonOverlappingPatches(channelsLast: tokens.reshaped([tokens.shape[0], height, width, tokens.shape[2]])))
    }

    func visitState(_ visitor: inout StateVisitor) {
        visitor.child("proj", projection)
        visitor.child("norm", norm)
    }
}

/// The position encoding generator (PEG): a depthwise 3×3 convolution of the token map added to it,
/// `[B, H·W, C]` → same.
final class PositionEncodingGenerator: Module {
    let convolution: Conv2d

    init(dimension: Int, using random: inout RandomGenerator) {
        convolution = Conv2d.twinsInitialized(dimension, dimension, kernel: 3, stride: 1, padding: 1, groups: dimension, using: &random)
    }

    func callAsFunction(_ tokens: Tensor, height: Int, width: Int) -> Tensor {
        let (b, n, c) = (tokens.shape[0], tokens.shape[1], tokens.shape[2])
        let map = tokens.permuted([0, 2, 1]).reshaped([b, c, height, width])
        return (convolution(map) + map).reshaped([b, c, n]).permuted([0, 2, 1])
    }

    func visitState(_ visitor: inout StateVisitor) {
        visitor.child("proj.0", convolution)
    }
}

/// A pre-norm Twins block, `[B, N, C]` → same: `x += dropPath(attn(norm1(x)))`, `x += dropPath(mlp(norm2(x)))`,
/// norms with eps 1e-6; local-window attention when `window > 1`, else global sub-sampled attention.
final class TwinsBlock: Module {
    let norm1: LayerNorm
    let local: LocallyGroupedAttention?
    let global: GlobalSubsampledAttention?
    let norm2: LayerNorm
    let mlp: Mlp
    let dropPathRate: Float

    init(dimension: Int, heads: Int, mlpRatio: Float, window: Int, subsamplingRatio: Int, configuration: TwinsConfiguration,
         dropPathRate: Float, using random: inout RandomGenerator) {
        norm1 = LayerNorm(dimension, epsilon: 1e-6)
        if window > 1 {
            local = LocallyGroupedAttention(dimension: dimension, heads: heads, window: window,
                                            attentionDropRate: configuration.attentionDropRate,
                                            projectionDropRate: configuration.projectionDropRate, using: &random)
            global = nil
        } else {
            global = GlobalSubsampledAttention(dimension: dimension, heads: heads, ratio: subsamplingRatio,
                                               attentionDropRate: configuration.attentionDropRate,
                                               projectionDropRate: configuration.projectionDropRate, using: &random)
            local = nil
        }
        norm2 = LayerNorm(dimension, epsilon: 1e-6)
        mlp = Mlp(dimension, hidden: Int(Float(dimension) * mlpRatio), dropout: configuration.projectionDropRate, using: &random)
        self.dropPathRate = dropPathRate
    }

    private func dropPath(_ x: Tensor, _ context: ForwardContext) -> Tensor {
        dropPathRate > 0 ? x.dropPath(probability: dropPathRate, training: context.training, using: &context.random) : x
    }

    func callAsFunction(_ x: Tensor, height: Int, width: Int, _ context: ForwardContext) -> Tensor {
        let normed = norm1(x)
        let attended = local.map { $0(normed, height: height, width: width, context) }
            ?? global!(normed, height: height, width: width, context)
        let y = x + dropPath(attended, context)
        return y + dropPath(mlp(norm2(y), context), context)
    }

    func visitState(_ visitor: inout StateVisitor) {
        visitor.child("norm1", norm1)
        if let local { visitor.child("attn", local) }
        if let global { visitor.child("attn", global) }
        visitor.child("norm2", norm2)
        visitor.child("mlp", mlp)
    }
}
