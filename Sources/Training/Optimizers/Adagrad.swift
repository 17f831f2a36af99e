/// Adagrad exactly as `torch.optim.Adagrad`: `s ← s + g²`,
/// `p ← p − (lr / (1 + (t − 1)·decay)) · g / (√s + ε)`, coupled weight decay, the sum starting at
/// `initialAccumulatorValue`.
public struct Adagrad: Sendable, Equatable {
    /// Learning-rate decay per step.
    public var learningRateDecay: Double
    /// The value the squared-gradient sum starts from.
    public var initialAccumulatorValue: Float
    /// ε added to the root.
    public var epsilon: Float

    /// Adagrad with PyTorch's defaults.
    public init(learningRateDecay: Double = 0, initialAccumulatorValue: Float = 0, epsilon: Float = 1e-10) {
        self.learningRateDecay = learningRateDecay
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
    }

    var bufferNames: [String] { ["sum"] }

    func apply(_ u: ParameterUpdate) {
        let p = u.parameter, g = u.gradient, s = u.buffers[0]
        let clr = Float(u.learningRate / (1 + Double(u.step - 1) * learningRateDecay))
        let wd = u.weightDecay, eps = epsilon
        fusedPass(u.count) { i, n in
            let param = lanesLoad(p, i, n)
            var grad = lanesLoad(g, i, n)
            if wd != 0 { grad = grad.addingProduct(wd, param) }
            let sum = lanesLoad(s, i, n).addingProduct(grad, grad)
            lanesStore(sum, s, i, n)
            lanesStore(param - clr * (grad / (lanesSquareRoot(sum) + eps)), p, i, n)
        }
    }
}
