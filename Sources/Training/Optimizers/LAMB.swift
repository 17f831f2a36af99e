import Foundation
import TensorEngine

/// LAMB (You et al. 2019) as timm's `timm.optim.Lamb` with `grad_averaging` (PyTorch has none):
/// gradients are first divided by `max(‖g‖_global / maxGradNorm, 1)`; then Adam moments with bias
/// correction give `u = (m / (1 − β₁ᵗ)) / (√v / √(1 − β₂ᵗ) + ε) + λ·p`, and when λ ≠ 0 (or
/// `alwaysAdapt`) `u` is scaled by the trust ratio `‖p‖ / ‖u‖` (1 if either norm is 0, at most 1
/// with `trustClip`); `p ← p − lr·u`.
///
/// The pass is fused twice: once updating the moments while summing ‖p‖² and ‖u‖², once applying
/// the scaled update, so no update tensor is allocated.
public struct LAMB: Sendable, Equatable {
    /// β₁.
    public var beta1: Double
    /// β₂.
    public var beta2: Double
    /// ε added after the root.
    public var epsilon: Double
    /// The global gradient norm above which gradients are scaled down; `nil` turns that off.
    public var maxGradNorm: Double?
    /// Caps the trust ratio at 1 (LAMBC).
    public var trustClip: Bool
    /// Applies the trust ratio also to parameters without weight decay.
    public var alwaysAdapt: Bool

    /// LAMB with timm's defaults.
    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-6, maxGradNorm: Double? = 1,
                trustClip: Bool = false, alwaysAdapt: Bool = false) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.maxGradNorm = maxGradNorm
        self.trustClip = trustClip
        self.alwaysAdapt = alwaysAdapt
    }

    var bufferNames: [String] { ["exp_avg", "exp_avg_sq"] }

    func apply(_ u: ParameterUpdate) {
        let p = u.parameter, g = u.gradient, m = u.buffers[0], v = u.buffers[1]
        let t = Double(u.step)
        let correction1 = Float(1 - pow(beta1, t))
        let correction2Root = Float((1 - pow(beta2, t)).squareRoot())
        let divisor = u.gradientDivisor
        let wd = u.weightDecay
        let eps = Float(epsilon), a1 = Float(1 - beta1), b2 = Float(beta2), a2 = Float(1 - beta2)
        let count = u.count
        @inline(__always) func direction(_ param: SIMD8<Float>, _ mean: SIMD8<Float>, _ square: SIMD8<Float>) -> SIMD8<Float> {
            let update = (mean / correction1) / (lanesSquareRoot(square) / correction2Root + eps)
            return wd != 0 ? update.addingProduct(wd, param) : update
        }
        let adapt = wd != 0 || alwaysAdapt
        let chunks = max(1, min(64, count / fusedGrain))
        var trust: Float = 1
        withUnsafeTemporaryAllocation(of: SIMD2<Double>.self, capacity: chunks) { partial in
            let sums = partial.baseAddress!
            parallelFor(chunks) { range in
                for chunk in range {
                    var pp = SIMD8<Float>(), uu = SIMD8<Float>()
                    forEachLaneGroup(count * chunk / chunks ..< count * (chunk + 1) / chunks) { i, n in
                        let param = lanesLoad(p, i, n)
                        var grad = lanesLoad(g, i, n)
                        if divisor != 1 { grad = grad / divisor }
                        var mean = lanesLoad(m, i, n)
                        mean = mean.addingProduct(a1, grad - mean)
                        let square = (b2 * lanesLoad(v, i, n)).addingProduct(a2, grad * grad)
                        lanesStore(mean, m, i, n)
                        lanesStore(square, v, i, n)
                        let update = direction(param, mean, square)
                        pp = pp.addingProduct(param, param)
                        uu = uu.addingProduct(update, update)
                    }
                    var sp = 0.0, su = 0.0
                    for lane in 0..<8 { sp += Double(pp[lane]); su += Double(uu[lane]) }
                    sums[chunk] = SIMD2(sp, su)
                }
            }
            if adapt {
                let total = partial.reduce(SIMD2<Double>(), +)
                let weightNorm = Float(total[0].squareRoot()), updateNorm = Float(total[1].squareRoot())
                trust = weightNorm > 0 && updateNorm > 0 ? weightNorm / updateNorm : 1
                if trustClip { trust = min(trust, 1) }
            }
        }
        let scale = -Float(u.learningRate) * trust
        fusedPass(count) { i, n in
            let param = lanesLoad(p, i, n)
            let update = direction(param, lanesLoad(m, i, n), lanesLoad(v, i, n))
            lanesStore(param.addingProduct(scale, update), p, i, n)
        }
    }
}
