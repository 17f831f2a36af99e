import TensorEngine

extension KernelBenchmark {
    /// One convolution of a batch of NCHW images (square stride and padding) through a chosen kernel.
    struct ConvolutionShape: Sendable {
        let name: String
        let input: [Int], weight: [Int]
        var stride = 1, padding = 0, groups = 1
        var algorithm = Conv2dAlgorithm.automatic

        var outputShape: [Int] {
            func side(_ size: Int, _ kernel: Int) -> Int { (size + 2 * padding - kernel) / stride + 1 }
            return [input[0], weight[0], side(input[2], weight[2]), side(input[3], weight[3])]
        }
        /// Multiply-adds × 2 of the forward pass.
        var flops: Double { 2 * Double(outputShape.reduce(1, *) * weight[1] * weight[2] * weight[3]) }
        var label: String { input.map(String.init).joined(separator: "×") + " ∗ " + weight.map(String.init).joined(separator: "×") }

        /// Random image, weight and bias; with `training`, leaves that take gradients.
        func operands(training: Bool = false) -> (image: Tensor, weight: Tensor, bias: Tensor) {
            var generator = RandomGenerator(seed: 3)
            let tensors = [input, weight, [weight[0]]].map { Tensor.normal($0, using: &generator) }
            if training { tensors.forEach { $0.requiringGrad() } }
            return (tensors[0], tensors[1], tensors[2])
        }

        func apply(_ operands: (image: Tensor, weight: Tensor, bias: Tensor)) -> Tensor {
            operands.image.conv2d(weight: operands.weight, bias: operands.bias, stride: (stride, stride),
                                  padding: (padding, padding), dilation: (1, 1), groups: groups, algorithm: algorithm)
        }

        /// Forward, then backward from `gradient` into the operands' gradients, which it clears.
        func trainingPass(_ operands: (image: Tensor, weight: Tensor, bias: Tensor), _ gradient: Tensor) {
            apply(operands).backward(gradient: gradient)
            [operands.image, operands.weight, operands.bias].forEach { $0.zeroGrad() }
        }

        /// The forward pass, and forward plus backward from a fixed gradient, as memory-bound
        /// kernels: forward reads the image and writes the output; backward reads the image and
        /// the output's gradient and writes the image's.
        var streamKernels: [StreamKernel] {
            let image = Double(input.reduce(1, *)), output = Double(outputShape.reduce(1, *))
            let suffix = ", " + input.map(String.init).joined(separator: "×")
            return [
                StreamKernel(name: name + " forward" + suffix, bytes: (image + output) * KernelBenchmark.floatBytes) {
                    let tensors = operands()
                    return { _ = apply(tensors) }
                },
                StreamKernel(name: name + " forward+backward" + suffix, bytes: (3 * image + 2 * output) * KernelBenchmark.floatBytes) {
                    let tensors = operands(training: true)
                    let gradient = Tensor.full(outputShape, 0.01)
                    return { trainingPass(tensors, gradient) }
                },
            ]
        }
    }

    /// Convolutions of the networks measured in GFLOP/s beside the GEMM rate: a ResNet 3×3
    /// (im2col + GEMM) and SwinV2-T's patch embedding at batch 8, its own kernel and the general one.
    static let convolutions: [ConvolutionShape] = [
        ConvolutionShape(name: "conv 3×3 64→64", input: [8, 64, 56, 56], weight: [64, 64, 3, 3], padding: 1),
        ConvolutionShape(name: "patch embedding 3→96", input: [8, 3, 256, 256], weight: [96, 3, 4, 4], stride: 4),
        ConvolutionShape(name: "patch embedding 3→96 via im2col", input: [8, 3, 256, 256], weight: [96, 3, 4, 4],
                         stride: 4, algorithm: .general),
    ]

    /// The 3×3 convolution's product as one plain GEMM: the rate its im2col path can hope for.
    static let convolutionAsGemm = GemmShape(name: "conv 3×3 64→64 as one GEMM", m: 64, n: 8 * 56 * 56, k: 64 * 9)

    /// Twins' depthwise 3×3 position encoding (memory-bound: measured in GB/s), its own kernel at
    /// both strides and the general one.
    static let depthwiseConvolutions: [ConvolutionShape] = [
        ConvolutionShape(name: "depthwise 3×3 s1", input: [8, 96, 56, 56], weight: [96, 1, 3, 3], padding: 1, groups: 96),
        ConvolutionShape(name: "depthwise 3×3 s2", input: [8, 96, 56, 56], weight: [96, 1, 3, 3], stride: 2, padding: 1, groups: 96),
        ConvolutionShape(name: "depthwise 3×3 s1 via im2col", input: [8, 96, 56, 56], weight: [96, 1, 3, 3], padding: 1,
                         groups: 96, algorithm: .general),
    ]

    /// Measures one convolution at the pool's current thread count: GFLOP/s of the forward pass
    /// and of the backward pass alone (forward plus backward, less the forward), which computes
    /// the image's and the weight's gradients at a forward's FLOPs each.
    func measure(_ convolution: ConvolutionShape) -> (forward: Double, backward: Double) {
        let inference = convolution.operands(), training = convolution.operands(training: true)
        let gradient = Tensor.full(convolution.outputShape, 0.01)
        let forward = stopwatch.best(prepare: eviction) { _ = convolution.apply(inference) }
        let both = stopwatch.best(prepare: eviction) { convolution.trainingPass(training, gradient) }
        return (convolution.flops / forward / 1e9, 2 * convolution.flops / max(both - forward, 1e-9) / 1e9)
    }
}
