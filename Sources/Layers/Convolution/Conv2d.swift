import TensorEngine

/// A 2-D convolution over `[N, C, H, W]` → `[N, O, H', W']` (PyTorch's `nn.Conv2d`, weight
/// `[O, C/groups, kH, kW]`). The engine picks its patchify and depthwise fast paths by shape.
public final class Conv2d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let groups: Int

    /// A convolution with PyTorch's default initialisation (uniform in ±1/√fanIn).
    public init(_ inChannels: Int, _ outChannels: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), groups: Int = 1, bias: Bool = true,
                using random: inout RandomGenerator) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: channels \(inChannels)→\(outChannels) are not divisible by groups \(groups)")
        let fanIn = inChannels / groups * kernel.0 * kernel.1
        weight = Initialization.pytorchDefault([outChannels, inChannels / groups, kernel.0, kernel.1], fanIn: fanIn, using: &random)
        self.bias = bias ? Initialization.pytorchDefault([outChannels], fanIn: fanIn, using: &random) : nil
        self.stride = stride
        self.padding = padding
        self.groups = groups
    }

    public var outChannels: Int { weight.shape[0] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, groups: groups)
    }

    public func visitState(_ visitor: inout StateVisitor) {
        visitor.parameter("weight", weight)
        if let bias { visitor.parameter("bias", bias) }
    }
}
