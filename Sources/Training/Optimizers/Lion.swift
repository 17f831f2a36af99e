/// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms") as timm's
/// `timm.optim.Lion` (PyTorch has none): `p ← p(1 − lr·λ)`,
/// `p ← p − lr·sign(m + (1 − β₁)(g − m))`, then `m ← m + (1 − β₂)(g − m)`.
public struct Lion: Sendable, Equatable {
    /// β₁, the interpolation used for the update direction.
    public var beta1: Float
    /// β₂, the momentum decay.
    public var beta2: Float

    /// Lion with the paper's defaults.
    public init(beta1: Float = 0.9, beta2: Float = 0.99) {
        self.beta1 = beta1
        self.beta2 = beta2
    }

    var bufferNames: [String] { ["exp_avg"] }

    func apply(_ u: ParameterUpdate) {
        let p = u.parameter, g = u.gradient, m = u.buffers[0]
        let lr = Float(u.learningRate)
        let shrink = Float(1 - u.learningRate * Double(u.weightDecay))
        let a1 = 1 - beta1, a2 = 1 - beta2
        let zero = SIMD8<Float>(), one = SIMD8<Float>(repeating: 1)
        fusedPass(u.count) { i, n in
            let grad = lanesLoad(g, i, n)
            let mean = lanesLoad(m, i, n)
            let direction = mean.addingProduct(a1, grad - mean)
            var sign = zero.replacing(with: one, where: direction .> zero)
            sign.replace(with: -one, where: direction .< zero)
            lanesStore((lanesLoad(p, i, n) * shrink).addingProduct(-lr, sign), p, i, n)
            lanesStore(mean.addingProduct(a2, grad - mean), m, i, n)
        }
    }
}
