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

    /// The convolution of NCHW images `[N, C, H, W]` → `[N, H', W', O]` channels last, for
    /// non-overlapping patches (kernel = stride, no padding, one group): a patch embedding whose
    /// output is read as tokens.
    public func nonOverlappingPatches(image x: Tensor) -> Tensor {
        precondition(stride == (weight.shape[2], weight.shape[3]) && padding == (0, 0) && groups == 1,
                     "Conv2d.nonOverlappingPatches: needs kernel = stride, no padding and one group")
        return x.patchConvolutionChannelsLast(weight: weight, bias: bias)
    }

    /// The convolution over a channels-last token map, `[N, H, W, C]` → `[N, H', W', O]`, for
    /// non-overlapping patches (kernel = stride, no padding, one group), as in a vision
    /// transformer's patch embedding or spatial reduction: each output token is one product of its
    /// patch's `kH·kW·C` values with the weight, so tokens never go through the NCHW layout and
    /// back. Rows and columns past the last whole patch are dropped, as the NCHW convolution does.
    public func nonOverlappingPatches(channelsLast x: Tensor) -> Tensor {
        let (kh, kw) = (weight.shape[2], weight.shape[3])
        precondition(x.rank == 4 && x.shape[3] == weight.shape[1],
                     "Conv2d.nonOverlappingPatches: expected [N, H, W, \(weight.shape[1])], got \(Shape.describe(x.shape))")
        precondition(stride == (kh, kw) && padding == (0, 0) && groups == 1,
                     "Conv2d.nonOverlappingPatches: needs kernel = stride, no padding and one group")
        let (n, c) = (x.shape[0], x.shape[3])
        let (ho, wo) = (x.shape[1] / kh, x.shape[2] / kw)
        var map = x
        if ho * kh != x.shape[1] { map = map.sliced(axis: 1, range: 0..<(ho * kh)) }
        if wo * kw != x.shape[2] { map = map.sliced(axis: 2, range: 0..<(wo * kw)) }
        let patches = map.reshaped([n, ho, kh, wo, kw, c]).permuted([0, 1, 3, 2, 4, 5])    // [N, H', W', kH, kW, C]
            .reshaped([n * ho * wo, kh * kw * c])
        let rows = weight.permuted([0, 2, 3, 1]).reshaped([outChannels, kh * kw * c])    // [O, kH·kW·C]
        return patches.linear(weight: rows, bias: bias).reshaped([n, ho, wo, outChannels])
    }

    public func visitState(_ visitor: inout StateVisitor) {
        visitor.parameter("weight", weight)
        if let bias { visitor.parameter("bias", bias) }
    }
}
