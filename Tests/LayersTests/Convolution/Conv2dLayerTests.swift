import Testing
import TensorEngine
import Layers

/// The channels-last entry points of the convolution layer give the NCHW convolution's numbers
/// and gradients, laid out `[N, H', W', O]`.
@Suite struct Conv2dLayerTests {
    static func layer(_ inChannels: Int, _ outChannels: Int, patch: (Int, Int), seed: UInt64) -> Conv2d {
        var random = RandomGenerator(seed: seed)
        return Conv2d(inChannels, outChannels, kernel: patch, stride: patch, using: &random)
    }

    static func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
        var random = RandomGenerator(seed: seed)
        return Tensor.normal(shape, using: &random)
    }

    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    /// Token maps whose sides divide by the patch, and one whose last row and columns are dropped.
    @Test(arguments: [(8, 8, (2, 2)), (14, 14, (2, 2)), (9, 11, (2, 3)), (16, 8, (8, 8)), (5, 5, (1, 1))])
    func channelsLastPatchesEqualThePermutedConvolution(height: Int, width: Int, patch: (Int, Int)) {
        let conv = Self.layer(6, 5, patch: patch, seed: 41)
        let tokens = Self.randomTensor([2, height, width, 6], seed: 42)
        let channelsLast = conv.nonOverlappingPatches(channelsLast: tokens)
        let reference = conv(tokens.permuted([0, 3, 1, 2])).permuted([0, 2, 3, 1])
        #expect(channelsLast.shape == reference.shape)
        #expect(Self.maxDifference(channelsLast.scalars, reference.scalars) < 1e-5)
        #expect(Self.maxDifference(conv.nonOverlappingPatches(image: tokens.permuted([0, 3, 1, 2])).scalars,
                                   reference.scalars) < 1e-5)
    }

    @Test func channelsLastGradientsEqualTheConvolutionsGradients() {
        let conv = Self.layer(4, 3, patch: (2, 2), seed: 43)
        let tokens = Self.randomTensor([2, 6, 7, 4], seed: 44)
        let upstream = Self.randomTensor([2, 3, 3, 3], seed: 45)
        func gradients(_ body: (Tensor) -> Tensor) -> [[Float]] {
            let input = tokens.copy().requiringGrad()
            for parameter in [conv.weight, conv.bias!] { parameter.zeroGrad(); parameter.requiringGrad() }
            body(input).backward(gradient: upstream)
            return [input.grad!.scalars, conv.weight.grad!.scalars, conv.bias!.grad!.scalars]
        }
        let channelsLast = gradients { conv.nonOverlappingPatches(channelsLast: $0) }
        let reference = gradients { conv($0.permuted([0, 3, 1, 2])).permuted([0, 2, 3, 1]) }
        for (a, b) in zip(channelsLast, reference) { #expect(Self.maxDifference(a, b) < 1e-4) }
    }
}
