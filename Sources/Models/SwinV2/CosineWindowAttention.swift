import Foundation
import TensorEngine
import Layers

/// SwinV2's window attention, `[windows·B, w², C]` → same shape: scaled cosine similarity between
/// queries and keys (a learned per-head temperature, capped at 100), plus a continuous position
/// bias from a small MLP over log-spaced relative coordinates, plus the shift mask.
final class CosineWindowAttention: Module {
    let dimension: Int
    let heads: Int
    let window: Int
    let flavor: SwinV2Configuration.Flavor

    let qkv: Linear
    /// timm: separate query and value biases; the key has none.
    let queryBias: Tensor?
    let valueBias: Tensor?
    /// `[heads, 1, 1]`, the log of each head's temperature; initialised to ln 10.
    let logitScale: Tensor
    let cpbHidden: Linear
    let cpbOutput: Linear
    let projection: Linear
    let attentionDropRate: Float
    let projectionDropRate: Float

    /// Derived: `[(2w−1)², 2]` coordinates and the `[w⁴]` table index.
    let relativeCoordinatesTable: Tensor
    let relativePositionIndex: [Int32]
    let relativePositionIndexBuffer: Tensor

    init(dimension: Int, heads: Int, window: Int, pretrainedWindow: Int, flavor: SwinV2Configuration.Flavor,
         attentionDropRate: Float, projectionDropRate: Float, using random: inout RandomGenerator) {
        self.dimension = dimension
        self.heads = heads
        self.window = window
        self.flavor = flavor
        self.attentionDropRate = attentionDropRate
        self.projectionDropRate = projectionDropRate
        logitScale = Tensor.full([heads, 1, 1], Float(log(10.0)))
        cpbHidden = Linear.transformerInitialized(2, 512, bias: true, using: &random)
        cpbOutput = Linear.transformerInitialized(512, heads, bias: false, using: &random)
        switch flavor {
        case .timm:
            qkv = Linear.transformerInitialized(dimension, 3 * dimension, bias: false, using: &random)
            queryBias = Tensor.zeros([dimension])
            valueBias = Tensor.zeros([dimension])
        case .torchvision:
            qkv = Linear.transformerInitialized(dimension, 3 * dimension, bias: true, using: &random)
            queryBias = nil
            valueBias = nil
        }
        projection = Linear.transformerInitialized(dimension, dimension, using: &random)
        relativeCoordinatesTable = WindowGeometry.relativeCoordinatesTable(window: window, pretrainedWindow: pretrainedWindow)
        relativePositionIndex = WindowGeometry.relativePositionIndex(window: window)
        relativePositionIndexBuffer = Tensor(shape: [window * window, window * window], values: relativePositionIndex.map(Float.init))
    }

    /// The q/k/v bias with the key third held at zero.
    private func combinedBias() -> Tensor {
        let zeros = Tensor.zeros([dimension])
        switch flavor {
        case .timm:
            return Tensor.concatenated([queryBias!, zeros, valueBias!], axis: 0)
        case .torchvision:
            let bias = qkv.bias!
            return Tensor.concatenated([bias.sliced(axis: 0, range: 0..<dimension), zeros,
                                        bias.sliced(axis: 0, range: 2 * dimension..<3 * dimension)], axis: 0)
        }
    }

    /// `[heads, w², w²]`: 16·sigmoid of the CPB MLP's output gathered for every (query, key) pair.
    func positionBias() -> Tensor {
        let table = cpbOutput(cpbHidden(relativeCoordinatesTable).relu())      // [(2w−1)², heads]
        let tokens = window * window
        return table.gatherRows(relativePositionIndex)                         // [w⁴, heads]
            .reshaped([tokens, tokens, heads])
            .permuted([2, 0, 1])
            .sigmoid() * 16
    }

    /// - Parameters:
    ///   - x: `[B·windows, w², C]`.
    ///   - mask: `[windows, w², w²]` with 0 / −100, or nil when the windows are not shifted.
    func callAsFunction(_ x: Tensor, mask: Tensor?, _ context: ForwardContext) -> Tensor {
        if !usesFusedAttention(context) { return composedAttention(x, mask: mask, context) }
        let (batchWindows, tokens) = (x.shape[0], x.shape[1])
        return callAsFunction(tokens: x.reshaped([batchWindows * tokens, dimension]),
                              windows: .consecutive(groups: batchWindows, tokens: tokens), mask: mask, context)
            .reshaped([batchWindows, tokens, dimension])
    }

    /// Whether ``Tensor/groupedAttention`` computes this pass: it has no dropout on the probabilities.
    func usesFusedAttention(_ context: ForwardContext) -> Bool {
        !(attentionDropRate > 0 && context.training)
    }

    /// The attention of the token rows of `x` (`[..., C]`, R rows in all) within `windows` (window
    /// `g` takes `mask[g % windows]`), `[R, C]` in the same rows: every window's heads straight
    /// from the projection's rows, q/k normalised, bias and mask added and softmax taken inside
    /// the fused kernel.
    func callAsFunction(tokens x: Tensor, windows: TokenGroups, mask: Tensor?, _ context: ForwardContext) -> Tensor {
        let rows = x.linear(weight: qkv.weight, bias: combinedBias()).reshaped([-1, 3 * dimension])   // [R, 3C]
        let temperature = logitScale.clamped(min: nil, max: Float(log(100.0))).exp()  // [heads, 1, 1]
        var out = Tensor.groupedAttention(query: .init(rows), key: .init(rows, column: dimension),
                                          value: .init(rows, column: 2 * dimension), heads: heads,
                                          headDimension: dimension / heads, queryGroups: windows, keyGroups: windows, scale: 1,
                                          logits: .init(temperature: temperature, bias: positionBias(), mask: mask))
        out = projection(out)
        if projectionDropRate > 0 {
            out = out.dropout(probability: projectionDropRate, training: context.training, using: &context.random)
        }
        return out
    }

    /// The same attention from separate ops, with dropout on the probabilities.
    private func composedAttention(_ x: Tensor, mask: Tensor?, _ context: ForwardContext) -> Tensor {
        let (batchWindows, tokens) = (x.shape[0], x.shape[1])
        let headDimension = dimension / heads
        let qkvWeight = qkv.weight
        let projected = x.linear(weight: qkvWeight, bias: combinedBias())            // [Bw, N, 3C]
            .reshaped([batchWindows, tokens, 3, heads, headDimension])
            .permuted([2, 0, 3, 1, 4])                                                // [3, Bw, heads, N, d]
        let parts = projected.split(sizes: [1, 1, 1], axis: 0)
        let q = parts[0].reshaped([batchWindows * heads, tokens, headDimension]).l2Normalized(axis: -1)
        let k = parts[1].reshaped([batchWindows * heads, tokens, headDimension]).l2Normalized(axis: -1)
        let v = parts[2].reshaped([batchWindows * heads, tokens, headDimension])

        let temperature = logitScale.clamped(min: nil, max: Float(log(100.0))).exp()  // [heads, 1, 1]
        var attention = q.matmul(k, transposeOther: true)                              // [Bw·heads, N, N]
            .reshaped([batchWindows, heads, tokens, tokens]) * temperature
        attention = attention + positionBias()
        if let mask {
            let windows = mask.shape[0]
            attention = (attention.reshaped([batchWindows / windows, windows, heads, tokens, tokens])
                         + mask.reshaped([1, windows, 1, tokens, tokens]))
        }
        var probabilities = attention.reshaped([batchWindows * heads, tokens, tokens]).softmax(axis: -1)
        if attentionDropRate > 0 {
            probabilities = probabilities.dropout(probability: attentionDropRate, training: context.training, using: &context.random)
        }
        var out = probabilities.matmul(v)                                              // [Bw·heads, N, d]
            .reshaped([batchWindows, heads, tokens, headDimension])
            .permuted([0, 2, 1, 3])
            .reshaped([batchWindows, tokens, dimension])
        out = projection(out)
        if projectionDropRate > 0 {
            out = out.dropout(probability: projectionDropRate, training: context.training, using: &context.random)
        }
        return out
    }

    func visitState(_ visitor: inout StateVisitor) {
        visitor.child("qkv", qkv)
        if let queryBias { visitor.parameter("q_bias", queryBias) }
        if let valueBias { visitor.parameter("v_bias", valueBias) }
        visitor.parameter("logit_scale", logitScale)
        visitor.child("cpb_mlp.0", cpbHidden)
        visitor.child("cpb_mlp.2", cpbOutput)
        visitor.child("proj", projection)
        visitor.buffer("relative_coords_table", relativeCoordinatesTable, persistent: false)
        visitor.buffer("relative_position_index", relativePositionIndexBuffer, persistent: false)
    }
}
