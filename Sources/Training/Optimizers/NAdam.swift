import Foundation

/// NAdam exactly as `torch.optim.NAdam` (Dozat's Nesterov-accelerated Adam with the momentum
/// schedule `μₜ = β₁(1 − ½·0.96^(t·ψ))`, ψ = `momentumDecay`; MindCV calls ψ `schedule_decay`):
///
/// `m ← m + (1 − β₁)(g − m)`, `v ← β₂·v + (1 − β₂)·g²`, `d = √(v / (1 − β₂ᵗ)) + ε`,
/// `p ← p − lr(1 − μₜ)/(1 − Πμ)·g/d − lr·μₜ₊₁/(1 − Πμ·μₜ₊₁)·m/d`.
///
/// The running product Πμ is per-parameter state (`mu_product`), kept in Float as PyTorch does.
public struct NAdam: Sendable, Equatable {
    /// β₁.
    public var beta1: Double
    /// β₂.
    public var beta2: Double
    /// ε added after the root.
    public var epsilon: Double
    /// ψ, how fast the momentum schedule warms up.
    public var momentumDecay: Double
    /// NAdamW: decoupled decay `p ← p(1 − lr·λ)` instead of `g ← g + λ·p`.
    public var decoupledWeightDecay: Bool

    /// NAdam with PyTorch's defaults.
    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                momentumDecay: Double = 4e-3, decoupledWeightDecay: Bool = false) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.momentumDecay = momentumDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    var bufferNames: [String] { ["exp_avg", "exp_avg_sq"] }
    var scalarNames: [String] { ["mu_product"] }
    var scalarInitialValues: [Float] { [1] }

    func apply(_ u: ParameterUpdate) {
        let p = u.parameter, g = u.gradient, m = u.buffers[0], v = u.buffers[1]
        let t = Double(u.step)
        let lr = u.learningRate
        let correction2 = Float(1 - pow(beta2, t))
        let mu = beta1 * (1 - 0.5 * pow(0.96, t * momentumDecay))
        let muNext = beta1 * (1 - 0.5 * pow(0.96, (t + 1) * momentumDecay))
        let product = u.scalars[0] * Float(mu)
        u.scalars[0] = product
        let productNext = Double(product) * muNext
        let gradScale = Float(-lr * (1 - mu) / (1 - Double(product)))
        let meanScale = Float(-lr * muNext / (1 - productNext))
        let coupled: Float = decoupledWeightDecay ? 0 : u.weightDecay
        let shrink: Float = decoupledWeightDecay ? Float(1 - lr * Double(u.weightDecay)) : 1
        let oneMinusBeta1 = Float(1 - beta1), b2 = Float(beta2), oneMinusBeta2 = Float(1 - beta2)
        let eps = Float(epsilon)
        fusedPass(u.count) { i, n in
            var param = lanesLoad(p, i, n) * shrink
            var grad = lanesLoad(g, i, n)
            if coupled != 0 { grad = grad.addingProduct(coupled, lanesLoad(p, i, n)) }
            var mean = lanesLoad(m, i, n)
            mean = mean.addingProduct(oneMinusBeta1, grad - mean)
            let square = (b2 * lanesLoad(v, i, n)).addingProduct(oneMinusBeta2, grad * grad)
            let denominator = lanesSquareRoot(square / correction2) + eps
            lanesStore(mean, m, i, n)
            lanesStore(square, v, i, n)
            param += gradScale * grad / denominator
            param += meanScale * mean / denominator
            lanesStore(param, p, i, n)
        }
    }
}
