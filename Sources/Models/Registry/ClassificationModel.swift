import TensorEngine
import Layers

/// A network that maps images `[B, C, H, W]` to logits `[B, classes]`.
public protocol ClassificationModel: Module {
    func callAsFunction(_ images: Tensor, _ context: ForwardContext) -> Tensor
    /// Names of the classifier's tensors, re-initialised when a checkpoint has another class count.
    var classifierNames: Set<String> { get }
    /// The input side the network is built for.
    var imageSize: Int { get }
    var inChannels: Int { get }
}

extension SwinV2: ClassificationModel {
    public var imageSize: Int { configuration.imageSize }
    public var inChannels: Int { configuration.inChannels }
}
