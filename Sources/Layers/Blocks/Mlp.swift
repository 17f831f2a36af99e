import TensorEngine

/// The transformer feed-forward block, `[..., C]` → `[..., C_out]`: Linear → GELU (exact) →
/// dropout → Linear → dropout, with timm's names `fc1`, `fc2`.
public final class Mlp: Module {
    public let fc1: Linear
    public let fc2: Linear
    public let dropout: Float

    public init(_ inFeatures: Int, hidden: Int, out: Int? = nil, dropout: Float = 0, using random: inout RandomGenerator) {
        fc1 = Linear.transformerInitialized(inFeatures, hidden, using: &random)
        fc2 = Linear.transformerInitialized(hidden, out ?? inFeatures, using: &random)
        self.dropout = dropout
    }

    public func callAsFunction(_ x: Tensor, _ context: ForwardContext) -> Tensor {
        if (dropout == 0 || !context.training) {
            // Nothing between the layers: GELU runs inside the two products (and their backward).
            return x.geluFeedForward(hiddenWeight: fc1.weight, hiddenBias: fc1.bias,
                                     outputWeight: fc2.weight, outputBias: fc2.bias)
        }
        var h = fc1(x).gelu()
        if dropout > 0 { h = h.dropout(probability: dropout, training: context.training, using: &context.random) }
        h = fc2(h)
        if dropout > 0 { h = h.dropout(probability: dropout, training: context.training, using: &context.random) }
        return h
    }

    public func visitState(_ visitor: inout StateVisitor) {
        visitor.child("fc1", fc1)
        visitor.child("fc2", fc2)
    }
}
