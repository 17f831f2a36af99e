import TensorEngine

/// Batch normalisation over the channels of `[N, C, H, W]` (or `[N, C]`): batch statistics while
/// training, which also update the running mean and (unbiased) variance with `momentum`; the running
/// statistics in evaluation. Names and semantics as PyTorch's `nn.BatchNorm2d`, including
/// `momentum` `nil`: the running statistics become the plain mean over the batches since
/// ``resetRunningStatistics()`` (factor 1 / `num_batches_tracked`), as `torch.optim.swa_utils.update_bn`
/// and keras-swa's re-estimation epoch use them.
public final class BatchNorm2d: Module {
    public let weight: Tensor
    public let bias: Tensor
    public let runningMean: Tensor
    public let runningVariance: Tensor
    /// PyTorch's `num_batches_tracked`, kept so checkpoints load into PyTorch strictly.
    public let batchesTracked: Tensor
    /// The running statistics' update factor; `nil` for the cumulative mean.
    public var momentum: Float?
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
        let factor = momentum ?? 1 / max(batchesTracked.data[0], 1)
        return x.batchNorm(weight: weight, bias: bias, runningMean: runningMean, runningVariance: runningVariance,
                           training: context.training, momentum: factor, epsilon: epsilon)
    }

    /// PyTorch's `reset_running_stats`: mean 0, variance 1, no batches tracked.
    public func resetRunningStatistics() {
        runningMean.data.update(repeating: 0, count: runningMean.count)
        runningVariance.data.update(repeating: 1, count: runningVariance.count)
        batchesTracked.data[0] = 0
    }

    public func visitState(_ visitor: inout StateVisitor) {
        visitor.parameter("weight", weight)
        visitor.parameter("bias", bias)
        visitor.buffer("running_mean", runningMean)
        visitor.buffer("running_var", runningVariance)
        visitor.optionalBuffer("num_batches_tracked", batchesTracked)
    }
}
