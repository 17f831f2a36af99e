/// Where a tensor's gradient accumulates, kept apart from the tensor's values.
///
/// The tape and the backward closures of ops that only route a gradient (reshape, permute, roll,
/// pad, slice, concatenation, addition, dropout, …) hold a tensor's slot, not the tensor: its
/// values — often a large activation — go back to the pool as soon as the forward pass is done
/// with them, instead of living until the backward pass. Only ops whose backward reads an
/// operand's values (products, normalisations, non-linearities) keep that operand.
public final class GradientSlot: @unchecked Sendable {
    /// The shape of the tensor (and of its gradient).
    public let shape: [Int]
    /// Whether gradients flow to the tensor.
    public internal(set) var requiresGrad = false
    /// Whether the tensor was made by a recorded op (as opposed to created or loaded).
    public internal(set) var isLeaf = true
    /// The accumulated gradient.
    public var grad: Tensor?

    init(shape: [Int]) {
        self.shape = shape
    }

    /// Adds `gradient` (same shape) to ``grad``, copying it the first time.
    public func accumulateGrad(_ gradient: Tensor) {
        guard requiresGrad else { return }
        guard gradient.shape == shape else {
            EngineError.shapeMismatch("accumulateGrad", shape, gradient.shape, "gradient must have the tensor's shape")
        }
        if let existing = grad {
            existing.addInPlace(gradient)
        } else {
            grad = gradient.copy()
        }
    }

    /// Like ``accumulateGrad(_:)`` for a gradient nobody else holds: the first one is kept as it is.
    public func accumulateGrad(owned gradient: Tensor) {
        guard requiresGrad else { return }
        if grad == nil && gradient.shape == shape && gradient.isLeaf && !gradient.requiresGrad {
            grad = gradient
        } else {
            accumulateGrad(gradient)
        }
    }

    /// Accumulates a gradient of a broadcast result, summed back to this shape.
    public func accumulateBroadcastGrad(_ gradient: Tensor) {
        guard requiresGrad else { return }
        if gradient.shape == shape {
            accumulateGrad(gradient)
        } else {
            accumulateGrad(owned: gradient.summedToShape(shape))
        }
    }

    /// ``accumulateBroadcastGrad(_:)`` for a gradient nobody else holds.
    public func accumulateBroadcastGrad(owned gradient: Tensor) {
        guard requiresGrad else { return }
        if gradient.shape == shape {
            accumulateGrad(owned: gradient)
        } else {
            accumulateGrad(owned: gradient.summedToShape(shape))
        }
    }

    /// Lets `addInto` add into the gradient buffer (zero-filled the first time), for ops whose
    /// gradient lands in part of the tensor (slices, gathers).
    func accumulateGradInPlace(_ addInto: (UnsafeMutablePointer<Float>) -> Void) {
        guard requiresGrad else { return }
        let gradient: Tensor
        if let existing = grad {
            gradient = existing
        } else {
            gradient = Tensor.zeros(shape)
            grad = gradient
        }
        addInto(gradient.data)
    }
}
