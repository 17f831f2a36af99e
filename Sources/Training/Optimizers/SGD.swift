/// Stochastic gradient descent with optional momentum and Nesterov momentum, exactly as
/// `torch.optim.SGD`: `g ← g + λ·p`; `b ← g` on the first step, then `b ← μ·b + (1 − τ)·g`;
/// `g ← g + μ·b` (Nesterov) or `g ← b`; `p ← p − lr·g`.
///
/// MindCV's `sgd`, `momentum` and `nesterov` choices all map here.
public struct SGD: Sendable, Equatable {
    /// μ; 0 turns momentum off (and no buffer is kept).
    public var momentum: Float
    /// τ, the dampening of the gradient added to the momentum buffer.
    public var dampening: Float
    /// Nesterov momentum (needs `momentum > 0` and `dampening == 0`, as in PyTorch).
    public var nesterov: Bool

    /// SGD with the given momentum settings.
    public init(momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false) {
        precondition(!nesterov || (momentum > 0 && dampening == 0),
                     "SGD: Nesterov momentum requires a momentum and zero dampening")
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
    }

    var bufferNames: [String] { momentum != 0 ? ["momentum_buffer"] : [] }

    func apply(_ u: ParameterUpdate) {
        let p = u.parameter, g = u.gradient
        let lr = Float(u.learningRate), wd = u.weightDecay
        let momentum = self.momentum, nesterov = self.nesterov
        guard momentum != 0 else {
            fusedPass(u.count) { i, n in
                let grad = lanesLoad(g, i, n).addingProduct(wd, lanesLoad(p, i, n))
                lanesStore(lanesLoad(p, i, n).addingProduct(-lr, grad), p, i, n)
            }
            return
        }
        let b = u.buffers[0]
        let first = u.step == 1
        let keep = 1 - dampening
        fusedPass(u.count) { i, n in
            let param = lanesLoad(p, i, n)
            let grad = wd == 0 ? lanesLoad(g, i, n) : lanesLoad(g, i, n) + wd * param
            let buffer = first ? grad : (momentum * lanesLoad(b, i, n)).addingProduct(keep, grad)
            lanesStore(buffer, b, i, n)
            let direction = nesterov ? grad.addingProduct(momentum, buffer) : buffer
            lanesStore(param.addingProduct(-lr, direction), p, i, n)
        }
    }
}
