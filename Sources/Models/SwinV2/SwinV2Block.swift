import TensorEngine
import Layers

/// One SwinV2 block on `[B, H, W, C]` (residual post-norm):
/// `x = x + dropPath(norm1(attention(shifted windows of x)))`, `x = x + dropPath(norm2(mlp(x)))`.
final class SwinV2Block: Module {
    let resolution: Int
    let window: Int
    let shift: Int
    let attention: CosineWindowAttention
    let norm1: LayerNorm
    let mlp: Mlp
    let norm2: LayerNorm
    let dropPathRate: Float
    let flavor: SwinV2Configuration.Flavor
    /// `[windows, w², w²]` for shifted blocks, nil otherwise (derived, not saved).
    let shiftMask: Tensor?

    init(dimension: Int, resolution: Int, heads: Int, targetWindow: Int, shifted: Bool, pretrainedWindow: Int,
         configuration: SwinV2Configuration, dropPathRate: Float, using random: inout RandomGenerator) {
        self.resolution = resolution
        self.flavor = configuration.flavor
        switch configuration.flavor {
        case .timm:
            // A window larger than the map shrinks to it, and a map the window covers is not shifted.
            window = min(resolution, targetWindow)
            shift = shifted && resolution > window ? window / 2 : 0
        case .torchvision:
            // The window is kept and the map padded up to it; no shift once one window covers it all.
            window = targetWindow
            shift = shifted && resolution > targetWindow ? targetWindow / 2 : 0
        }
        self.dropPathRate = dropPathRate
        attention = CosineWindowAttention(dimension: dimension, heads: heads, window: window, pretrainedWindow: pretrainedWindow,
                                          flavor: configuration.flavor, attentionDropRate: configuration.attentionDropRate,
                                          projectionDropRate: configuration.projectionDropRate, using: &random)
        norm1 = LayerNorm(dimension)
        mlp = Mlp(dimension, hidden: Int(Float(dimension) * configuration.mlpRatio), dropout: configuration.projectionDropRate,
                  using: &random)
        norm2 = LayerNorm(dimension)
        if configuration.flavor == .timm {
            // timm starts the residual post-norms at zero, so every block begins as the identity.
            for norm in [norm1, norm2] { norm.weight.fill(0); norm.bias.fill(0) }
        }
        let padded = (resolution + window - 1) / window * window
        shiftMask = shift > 0 ? WindowGeometry.shiftMask(height: padded, width: padded, window: window, shift: shift) : nil
    }

    /// Windowed attention over `[B, H, W, C]`. timm rolls, then pads to whole windows; torchvision
    /// pads, then rolls the padded map. Both undo the two steps afterwards. When no padding is
    /// needed (the two orders agree) the fused attention reads the shifted windows in place instead.
    private func shiftedWindowAttention(_ x: Tensor, _ context: ForwardContext) -> Tensor {
        let (height, width) = (x.shape[1], x.shape[2])
        let padH = (window - height % window) % window, padW = (window - width % window) % window
        func pad(_ t: Tensor) -> Tensor {
            padH > 0 || padW > 0 ? t.padded([(0, 0), (0, padH), (0, padW), (0, 0)]) : t
        }
        func crop(_ t: Tensor) -> Tensor {
            padH > 0 || padW > 0 ? t.sliced(axis: 1, range: 0..<height).sliced(axis: 2, range: 0..<width) : t
        }
        func roll(_ t: Tensor, _ amount: Int) -> Tensor {
            amount != 0 ? t.rolled(shifts: [amount, amount], axes: [1, 2]) : t
        }
        if padH == 0 && padW == 0 && attention.usesFusedAttention(context) {
            // The shifted windows are read and written in place in x's own rows: no roll, no
            // partition and no merge, forward or backward.
            let groups = TokenGroups.windows(batch: x.shape[0], height: height, width: width, window: window, shift: shift)
            return attention(tokens: x, windows: groups, mask: shiftMask, context).reshaped(x.shape)
        }
        let prepared = flavor == .timm ? pad(roll(x, -shift)) : roll(pad(x), -shift)
        let attended = attention(prepared.windowPartitioned(window), mask: shiftMask, context)
        let merged = attended.windowsMerged(window, height: height + padH, width: width + padW)
        return flavor == .timm ? roll(crop(merged), shift) : crop(roll(merged, shift))
    }

    /// Drop path's factor for each of `samples` samples (drawn as `dropPath` would), or nil
    /// outside training or at rate 0.
    private func dropPathScales(samples: Int, _ context: ForwardContext) -> [Float]? {
        guard dropPathRate > 0 && context.training else { return nil }
        return Tensor.dropPathScales(samples: samples, probability: dropPathRate, using: &context.random)
    }

    /// `x + dropPath(norm(branch))` as one op: the norm, the drop path and the residual sum in
    /// one pass over the rows, forward and backward.
    private func residual(_ x: Tensor, _ branch: Tensor, _ norm: LayerNorm, _ context: ForwardContext) -> Tensor {
        x.addingLayerNorm(of: branch, weight: norm.weight, bias: norm.bias, epsilon: norm.epsilon,
                          sampleScales: dropPathScales(samples: x.shape[0], context))
    }

    func callAsFunction(_ x: Tensor, _ context: ForwardContext) -> Tensor {
        let y = residual(x, shiftedWindowAttention(x, context), norm1, context)
        return residual(y, mlp(y, context), norm2, context)
    }

    func visitState(_ visitor: inout StateVisitor) {
        visitor.child("norm1", norm1)
        visitor.child("attn", attention)
        visitor.child("norm2", norm2)
        visitor.child("mlp", mlp)
        if let shiftMask { visitor.buffer("attn_mask", shiftMask, persistent: false) }
    }
}

/// SwinV2's patch merging, `[B, H, W, C]` → `[B, ⌈H/2⌉, ⌈W/2⌉, C_out]`: each 2×2 neighbourhood's four
/// tokens concatenated (order (0,0), (1,0), (0,1), (1,1) in (row, column)), reduced by a linear map
/// without bias, then normalised (v2 puts the norm after the reduction).
final class PatchMergingV2: Module {
    let reduction: Linear
    let norm: LayerNorm

    init(dimension: Int, outDimension: Int, using random: inout RandomGenerator) {
        reduction = Linear.transformerInitialized(4 * dimension, outDimension, bias: false, using: &random)
        norm = LayerNorm(outDimension)
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        var x = x
        let (b, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        if h % 2 == 1 || w % 2 == 1 { x = x.padded([(0, 0), (0, h % 2), (0, w % 2), (0, 0)]) }
        let (h2, w2) = ((h + 1) / 2, (w + 1) / 2)
        let gathered = x.reshaped([b, h2, 2, w2, 2, c])
            .permuted([0, 1, 3, 4, 2, 5])      // [B, H/2, W/2, column offset, row offset, C]
            .reshaped([b, h2, w2, 4 * c])
        return norm(reduction(gathered))
    }

    func visitState(_ visitor: inout StateVisitor) {
        visitor.child("reduction", reduction)
        visitor.child("norm", norm)
    }
}
