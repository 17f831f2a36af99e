import TensorEngine
import Layers

/// A network that maps images `[B, C, H, W]` to logits `[B, classes]`.
public protocol ClassificationModel: Module {
    func callAsFunction(_ images: Tensor, _ context: ForwardContext) -> Tensor
    /// Names of the classifier's tensors, re-initialised when a checkpoint has another class count.
    var classifierNames: Set<String> { get }
    /// The input side the network is built for.
    var imageSize: Int { get }
    /// Whether the network also takes other input sizes (convolutional networks with global
    /// pooling do; window attention built for ``imageSize`` does not).
    var acceptsOtherImageSizes: Bool { get }
    var inChannels: Int { get }
    /// Parameters the architecture keeps out of weight decay, as timm's `no_weight_decay()`
    /// (exact names) and `no_weight_decay_keywords()` (substrings of dotted names).
    var noWeightDecay: (names: Set<String>, keywords: [String]) { get }
}

extension ClassificationModel {
    public var noWeightDecay: (names: Set<String>, keywords: [String]) { ([], []) }
    public var acceptsOtherImageSizes: Bool { false }
}

extension SwinV2: ClassificationModel {
    public var imageSize: Int { configuration.imageSize }
    public var inChannels: Int { configuration.inChannels }
    /// timm's: `absolute_pos_embed` by name; the continuous position bias MLP, the attention's
    /// `logit_scale` and any relative-position table by keyword.
    public var noWeightDecay: (names: Set<String>, keywords: [String]) {
        (["absolute_pos_embed"], ["cpb_mlp", "logit_scale", "relative_position_bias_table"])
    }
}
