import TensorEngine

/// What a forward pass needs besides its input: whether it trains (dropout, drop-path and batch-norm
/// statistics depend on it) and the random stream those draw from. Eval passes also run without
/// recording on the tape.
public final class ForwardContext {
    /// True in training: dropout and drop-path are active and batch norm uses batch statistics.
    public let training: Bool
    /// The random stream for dropout, drop-path and other stochastic layers.
    public var random: RandomGenerator

    public init(training: Bool, random: RandomGenerator = RandomGenerator(seed: 0)) {
        self.training = training
        self.random = random
    }

    /// An evaluation context (deterministic, no stochastic layers).
    public static func evaluation() -> ForwardContext { ForwardContext(training: false) }
}
