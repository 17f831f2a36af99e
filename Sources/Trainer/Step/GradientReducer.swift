import TensorEngine

/// The gradient-reducer seam, between backward and clipping: makes every process's gradients
/// the average over all processes (an all-reduce), and tells the sampler which part of the data
/// this process reads.
public protocol GradientReducer {
    /// This process's index among ``worldSize`` processes.
    var rank: Int { get }
    /// How many processes train together.
    var worldSize: Int { get }
    /// Replaces each parameter's gradient with the mean over processes.
    func reduce(_ parameters: [(name: String, tensor: Tensor)])
}

/// One process: the gradients are already the whole batch's.
public struct LocalGradientReducer: GradientReducer {
    public init() {}
    public var rank: Int { 0 }
    public var worldSize: Int { 1 }
    public func reduce(_ parameters: [(name: String, tensor: Tensor)]) {}
}
