import TensorEngine
import Layers

/// Scaled-dot attention of `q [B·h, Nq, d]` over `k`, `v` `[B·h, Nk, d]` → `[B·h, Nq, d]`.
func scaledDotAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, scale: Float, dropRate: Float,
                        _ context: ForwardContext) -> Tensor {
    var probabilities = q.matmul(k, transposeOther: true, scale: scale).softmax(axis: -1)
    if dropRate > 0 {
        probabilities = probabilities.dropout(probability: dropRate, training: context.training, using: &context.random)
    }
    return probabilities.matmul(v)
}

/// Twins' locally grouped self-attention (LSA), `[B, H·W, C]` → same: tokens attend within
/// non-overlapping w×w windows; the map is zero-padded to whole windows (padded tokens take part,
/// as in the reference) and cropped back.
final class LocallyGroupedAttention: Module {
    let dimension: Int, heads: Int, window: Int
    let qkv: Linear
    let projection: Linear
    let attentionDropRate: Float, projectionDropRate: Float

    init(dimension: Int, heads: Int, window: Int, attentionDropRate: Float, projectionDropRate: Float,
         using random: inout RandomGenerator) {
        self.dimension = dimension
        self.heads = heads
        self.window = window
        self.attentionDropRate = attentionDropRate
        self.projectionDropRate = projectionDropRate
        qkv = Linear.transformerInitialized(dimension, 3 * dimension, using: &random)
        projection = Linear.transformerInitialized(dimension, dimension, using: &random)
    }

    func callAsFunction(_ x: Tensor, height: Int, width: Int, _ context: ForwardContext) -> Tensor {
        let (b, c, w) = (x.shape[0], dimension, window)
        var map = x.reshaped([b, height, width, c])
        let padH = (w - height % w) % w, padW = (w - width % w) % w
        if padH > 0 || padW > 0 { map = map.padded([(0, 0), (0, padH), (0, padW), (0, 0)]) }
        let (paddedHeight, paddedWidth) = (height + padH, width + padW)
        var out: Tensor
        if attentionDropRate > 0 && context.training {
            out = partitionedAttention(map, context)
        } else {
            // Windows are read in place from the projection of the whole map.
            let rows = qkv(map).reshaped([b * paddedHeight * paddedWidth, 3 * c])
            let windows = TokenGroups.windows(batch: b, height: paddedHeight, width: paddedWidth, window: w)
            out = Tensor.groupedAttention(query: .init(rows), key: .init(rows, column: c), value: .init(rows, column: 2 * c),
                                          heads: heads, headDimension: c / heads, queryGroups: windows, keyGroups: windows,
                                          scale: 1 / Float(c / heads).squareRoot())
                .reshaped([b, paddedHeight, paddedWidth, c])
        }
        if padH > 0 || padW > 0 {
            out = out.sliced(axis: 1, range: 0..<height).sliced(axis: 2, range: 0..<width)
        }
        out = projection(out.reshaped([b, height * width, c]))
        if projectionDropRate > 0 {
            out = out.dropout(probability: projectionDropRate, training: context.training, using: &context.random)
        }
        return out
    }

    /// Attention with dropout on the probabilities: windows partitioned into their own tensor and
    /// heads split, `[B, H', W', C]` → same.
    private func partitionedAttention(_ map: Tensor, _ context: ForwardContext) -> Tensor {
        let (b, c, w) = (map.shape[0], dimension, window)
        let d = c / heads
        let (rows, columns) = (map.shape[1] / w, map.shape[2] / w)
        let windows = rows * columns
        let tokens = map.reshaped([b, rows, w, columns, w, c]).permuted([0, 1, 3, 2, 4, 5])   // [B, rows, cols, w, w, C]
        let parts = qkv(tokens)
            .reshaped([b, windows, w * w, 3, heads, d])
            .permuted([3, 0, 1, 4, 2, 5])                                                      // [3, B, nW, heads, w², d]
            .split(sizes: [1, 1, 1], axis: 0)
            .map { $0.reshaped([b * windows * heads, w * w, d]) }
        let attended = scaledDotAttention(parts[0], parts[1], parts[2], scale: 1 / Float(d).squareRoot(),
                                          dropRate: attentionDropRate, context)
        return attended.reshaped([b, rows, columns, heads, w, w, d])
            .permuted([0, 1, 4, 2, 5, 3, 6])                                                   // [B, rows, w, cols, w, heads, d]
            .reshaped([b, rows * w, columns * w, c])
    }

    func visitState(_ visitor: inout StateVisitor) {
        visitor.child("qkv", qkv)
        visitor.child("proj", projection)
    }
}

/// Twins' global sub-sampled attention (GSA), `[B, H·W, C]` → same: every token attends to keys and
/// values of the map reduced by an r×r stride-r convolution and layer norm (no reduction when r = 1).
final class GlobalSubsampledAttention: Module {
    let dimension: Int, heads: Int, ratio: Int
    let query: Linear
    let keyValue: Linear
    let projection: Linear
    let reduction: Conv2d?
    let norm: LayerNorm?
    let attentionDropRate: Float, projectionDropRate: Float

    init(dimension: Int, heads: Int, ratio: Int, attentionDropRate: Float, projectionDropRate: Float,
         using random: inout RandomGenerator) {
        self.dimension = dimension
        self.heads = heads
        self.ratio = ratio
        self.attentionDropRate = attentionDropRate
        self.projectionDropRate = projectionDropRate
        query = Linear.transformerInitialized(dimension, dimension, using: &random)
        keyValue = Linear.transformerInitialized(dimension, 2 * dimension, using: &random)
        projection = Linear.transformerInitialized(dimension, dimension, using: &random)
        if ratio > 1 {
            reduction = Conv2d.twinsInitialized(dimension, dimension, kernel: ratio, stride: ratio, padding: 0, groups: 1, using: &random)
            norm = LayerNorm(dimension)
        } else {
            reduction = nil
            norm = nil
        }
    }

    func callAsFunction(_ x: Tensor, height: Int, width: Int, _ context: ForwardContext) -> Tensor {
        let (b, n, c) = (x.shape[0], x.shape[1], dimension)
        let d = c / heads
        var source = x
        if let reduction, let norm {
            let reduced = reduction.nonOverlappingPatches(channelsLast: x.reshaped([b, height, width, c]))   // [B, H/r, W/r, C]
            source = norm(reduced.reshaped([b, reduced.shape[1] * reduced.shape[2], c]))
        }
        let m = source.shape[1]
        var out: Tensor
        if attentionDropRate > 0 && context.training {
            let q = query(x).reshaped([b, n, heads, d]).permuted([0, 2, 1, 3]).reshaped([b * heads, n, d])
            let kv = keyValue(source).reshaped([b, m, 2, heads, d]).permuted([2, 0, 3, 1, 4]).split(sizes: [1, 1], axis: 0)
            let k = kv[0].reshaped([b * heads, m, d]), v = kv[1].reshaped([b * heads, m, d])
            let attended = scaledDotAttention(q, k, v, scale: 1 / Float(d).squareRoot(), dropRate: attentionDropRate, context)
            out = attended.reshaped([b, heads, n, d]).permuted([0, 2, 1, 3]).reshaped([b, n, c])
        } else {
            // Each image's queries attend to its reduced keys, read in place from the projections.
            let q = query(x).reshaped([b * n, c]), kv = keyValue(source).reshaped([b * m, 2 * c])
            out = Tensor.groupedAttention(query: .init(q), key: .init(kv), value: .init(kv, column: c), heads: heads,
                                          headDimension: d, queryGroups: .consecutive(groups: b, tokens: n),
                                          keyGroups: .consecutive(groups: b, tokens: m), scale: 1 / Float(d).squareRoot())
                .reshaped([b, n, c])
        }
        out = projection(out)
        if projectionDropRate > 0 {
            out = out.dropout(probability: projectionDropRate, training: context.training, using: &context.random)
        }
        return out
    }

    func visitState(_ visitor: inout StateVisitor) {
        visitor.child("q", query)
        visitor.child("kv", keyValue)
        visitor.child("proj", projection)
        if let reduction { visitor.child("sr", reduction) }
        if let norm { visitor.child("norm", norm) }
    }
}

extension Conv2d {
    /// Twins' (and PVT's) convolution initialisation: normal with std √(2 / fanOut),
    /// fanOut = k·k·out/groups, zero bias.
    static func twinsInitialized(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int, padding: Int, groups: Int,
                                 using random: inout RandomGenerator) -> Conv2d {
        let conv = Conv2d(inChannels, outChannels, kernel: (kernel, kernel), stride: (stride, stride),
                          padding: (padding, padding), groups: groups, using: &random)
        let fanOut = kernel * kernel * outChannels / groups
        let fresh = Initialization.kaimingNormalFanOut(conv.weight.shape, fanOut: fanOut, using: &random)
        conv.weight.data.update(from: fresh.data, count: fresh.count)
        conv.bias?.fill(0)
        return conv
    }
}
