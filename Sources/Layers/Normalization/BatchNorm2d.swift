import TensorEngine

/// Batch normalisation over the channels of `[N, C, H, W]` (or `[N, C]`): batch statistics while
/// training, which also update the running mean and (unbiased) variance with `momentum`; the running
/// statistics in evaluation. Names and semantics as PyTorch's `nn.BatchNorm2d`.
public final class BatchNorm2d: Module {
    public let weight: Tensor
    public let bias: Tensor
    public let runningMean: Tensor
    public let runningVariance: Tensor
    /// PyTorch's `num_batches_tracked`, kept so checkpoints load into PyTorch strictly.
    public let batchesTracked: Tensor
    public let momentum: Float
    public let epsilon: Float

    public init(_ channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        weight = Tensor.ones([channels])
        bias = Tensor.zeros([channels])
        runningMean = Tensor.zeros([channels])
        runningVariance = Tensor.ones([channels])
        batchesTracked = Tensor(scalar: 0)
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public func callAsFunction(_ x: Tensor, _ context: ForwardContext) -> Tensor {
        if context.training { batchesTracked.data[0] += 1 }
        return x.batchNorm(weight: weight, bias: bias, runningMean: runningMean, runningVariance: runningVariance,
                           training: context.training, momentum: momentum, epsilon: epsilon)
    }

    public func visitState(_ visitor: inout StateVisitor) {
        visitor.parameter("weight", weight)
        visitor.parameter("bias", bias)
        visitor.buffer("running_mean", runningMean)
        visitor.buffer("running_var", runningVariance)
        visitor.optionalBuffer("num_batches_tracked", batchesTracked)
    }
}
