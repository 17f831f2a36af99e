import TensorEngine

/// Layer normalisation over the last axis, `[..., C]` → `[..., C]`, with an affine weight and bias
/// (PyTorch's `nn.LayerNorm(C)`, biased variance).
public final class LayerNorm: Module {
    public let weight: Tensor
    public let bias: Tensor
    public let epsilon: Float

    public init(_ channels: Int, epsilon: Float = 1e-5) {
        weight = Tensor.ones([channels])
        bias = Tensor.zeros([channels])
        self.epsilon = epsilon
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.layerNorm(weight: weight, bias: bias, epsilon: epsilon)
    }

    public func visitState(_ visitor: inout StateVisitor) {
        visitor.parameter("weight", weight)
        visitor.parameter("bias", bias)
    }
}
