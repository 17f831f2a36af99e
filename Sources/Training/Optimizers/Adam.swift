import Foundation

/// Adam and AdamW exactly as `torch.optim.Adam` / `torch.optim.AdamW` (bias-corrected moments,
/// ε added after the square root of the corrected second moment):
///
/// `m ← m + (1 − β₁)(g − m)`, `v ← β₂·v + (1 − β₂)·g²`,
/// `p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)`.
///
/// Weight decay is coupled (`g ← g + λ·p`, Adam) or decoupled (`p ← p·(1 − lr·λ)` before the
/// update, AdamW).
public struct Adam: Sendable, Equatable {
    /// β₁, the first-moment decay.
    public var beta1: Double
    /// β₂, the second-moment decay.
    public var beta2: Double
    /// ε in the denominator.
    public var epsilon: Double
    /// AdamW's decoupled weight decay instead of L2 added to the gradient.
    public var decoupledWeightDecay: Bool

    /// Adam (coupled decay) with PyTorch's defaults.
    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                decoupledWeightDecay: Bool = false) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    /// AdamW with PyTorch's defaults (decoupled decay).
    public static func adamW(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) -> Adam {
        Adam(beta1: beta1, beta2: beta2, epsilon: epsilon, decoupledWeightDecay: true)
    }

    var bufferNames: [String] { ["exp_avg", "exp_avg_sq"] }

    func apply(_ u: ParameterUpdate) {
        let p = u.parameter, g = u.gradient, m = u.buffers[0], v = u.buffers[1]
        let t = Double(u.step)
        let stepSize = Float(u.learningRate / (1 - pow(beta1, t)))
        let correction2Root = Float((1 - pow(beta2, t)).squareRoot())
        let eps = Float(epsilon)
        let oneMinusBeta1 = Float(1 - beta1), b2 = Float(beta2), oneMinusBeta2 = Float(1 - beta2)
        let coupled: Float = decoupledWeightDecay ? 0 : u.weightDecay
        let shrink: Float = decoupledWeightDecay ? Float(1 - u.learningRate * Double(u.weightDecay)) : 1
        fusedPass(u.count) { i, n in
            var param = lanesLoad(p, i, n)
            var grad = lanesLoad(g, i, n)
            if coupled != 0 { grad = grad.addingProduct(coupled, param) }
            param *= shrink
            var mean = lanesLoad(m, i, n)
            mean = mean.addingProduct(oneMinusBeta1, grad - mean)
            var square = lanesLoad(v, i, n)
            square = (b2 * square).addingProduct(oneMinusBeta2, grad * grad)
            let denominator = lanesSquareRoot(square) / correction2Root + eps
            lanesStore(mean, m, i, n)
            lanesStore(square, v, i, n)
            lanesStore(param - stepSize * (mean / denominator), p, i, n)
        }
    }
}
