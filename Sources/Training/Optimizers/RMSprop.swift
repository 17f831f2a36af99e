/// RMSprop exactly as `torch.optim.RMSprop`: `v ← α·v + (1 − α)·g²`, optionally centred
/// (`ḡ ← ḡ + (1 − α)(g − ḡ)`, `v − ḡ²` under the root), denominator `√· + ε`, then either
/// `p ← p − lr·g/d` or with momentum `b ← μ·b + g/d`, `p ← p − lr·b`. Coupled weight decay.
///
/// MindCV's `rmsprop` uses MindSpore's variant (ε inside the root); this is PyTorch's.
public struct RMSprop: Sendable, Equatable {
    /// α, the square-average decay.
    public var alpha: Float
    /// ε added to the root.
    public var epsilon: Float
    /// μ; 0 turns the momentum buffer off.
    public var momentum: Float
    /// Normalise by the estimated variance instead of the raw second moment.
    public var centered: Bool

    /// RMSprop with PyTorch's defaults.
    public init(alpha: Float = 0.99, epsilon: Float = 1e-8, momentum: Float = 0, centered: Bool = false) {
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
    }

    var bufferNames: [String] {
        ["square_avg"] + (momentum > 0 ? ["momentum_buffer"] : []) + (centered ? ["grad_avg"] : [])
    }

    func apply(_ u: ParameterUpdate) {
        let p = u.parameter, g = u.gradient, v = u.buffers[0]
        let b = momentum > 0 ? u.buffers[1] : v
        let a = centered ? u.buffers[momentum > 0 ? 2 : 1] : v
        let lr = Float(u.learningRate), wd = u.weightDecay
        let alpha = self.alpha, oneMinusAlpha = 1 - self.alpha, eps = epsilon
        let momentum = self.momentum, centered = self.centered
        fusedPass(u.count) { i, n in
            let param = lanesLoad(p, i, n)
            var grad = lanesLoad(g, i, n)
            if wd != 0 { grad = grad.addingProduct(wd, param) }
            let square = (alpha * lanesLoad(v, i, n)).addingProduct(oneMinusAlpha, grad * grad)
            lanesStore(square, v, i, n)
            var average: SIMD8<Float>
            if centered {
                var mean = lanesLoad(a, i, n)
                mean = mean.addingProduct(oneMinusAlpha, grad - mean)
                lanesStore(mean, a, i, n)
                average = lanesSquareRoot(square.addingProduct(-mean, mean))
            } else {
                average = lanesSquareRoot(square)
            }
            average += eps
            if momentum > 0 {
                let buffer = (momentum * lanesLoad(b, i, n)) + grad / average
                lanesStore(buffer, b, i, n)
                lanesStore(param.addingProduct(-lr, buffer), p, i, n)
            } else {
                lanesStore(param - lr * (grad / average), p, i, n)
            }
        }
    }
}
