import TensorEngine

/// A fully connected layer, `y = x · Wᵀ + b` over the last axis: `[..., inFeatures]` →
/// `[..., outFeatures]`. Weight `[outFeatures, inFeatures]` as in PyTorch, so weights load as they are.
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// A layer with PyTorch's default initialisation (uniform in ±1/√inFeatures for weight and bias).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, using random: inout RandomGenerator) {
        weight = Initialization.pytorchDefault([outFeatures, inFeatures], fanIn: inFeatures, using: &random)
        self.bias = bias ? Initialization.pytorchDefault([outFeatures], fanIn: inFeatures, using: &random) : nil
    }

    /// A layer with the given tensors (weight `[out, in]`, bias `[out]`).
    public init(weight: Tensor, bias: Tensor?) {
        self.weight = weight
        self.bias = bias
    }

    /// timm's transformer initialisation: truncated normal (std 0.02) weight, zero bias.
    public static func transformerInitialized(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true,
                                              using random: inout RandomGenerator) -> Linear {
        Linear(weight: Initialization.truncatedNormal([outFeatures, inFeatures], using: &random),
               bias: bias ? Tensor.zeros([outFeatures]) : nil)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.linear(weight: weight, bias: bias)
    }

    public func visitState(_ visitor: inout StateVisitor) {
        visitor.parameter("weight", weight)
        if let bias { visitor.parameter("bias", bias) }
    }
}
