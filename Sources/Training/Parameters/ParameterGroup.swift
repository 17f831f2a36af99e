import TensorEngine

/// A set of parameters that share optimizer settings: PyTorch's `param_groups` entry.
///
/// Groups exist so that some parameters (normalisation scales, biases, position tables) can
/// train without weight decay, or with a scaled learning rate, while the rest use the run's
/// settings. Build them with ``ParameterGrouping``.
public struct ParameterGroup: Sendable {
    /// A label for logs and errors (`"decay"`, `"no_decay"`, `"norm"`, a custom key).
    public var name: String
    /// The parameters by dotted name, in model order.
    public var parameters: [(name: String, tensor: Tensor)]
    /// The weight decay applied to this group (coupled or decoupled, as the optimizer defines it).
    public var weightDecay: Float
    /// Multiplies the optimizer's learning rate for this group (layer-wise decay; 1 otherwise).
    public var learningRateScale: Float

    /// A group of `parameters` with `weightDecay` and an optional learning-rate scale.
    public init(name: String, parameters: [(name: String, tensor: Tensor)], weightDecay: Float,
                learningRateScale: Float = 1) {
        self.name = name
        self.parameters = parameters
        self.weightDecay = weightDecay
        self.learningRateScale = learningRateScale
    }
}
