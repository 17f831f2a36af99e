import Foundation
import TensorEngine

/// The distributions the policies draw from, on the engine's generator: what Python's `random`
/// and NumPy's `np.random` give timm, with the same distributions (not the same streams).
extension RandomGenerator {
    /// N(mean, std²) in double precision, as `random.gauss`.
    mutating func nextGaussian(mean: Double, std: Double) -> Double {
        mean + std * nextNormalDouble()
    }

    /// Gamma(shape, 1) (``TensorEngine/GammaDistribution``).
    mutating func nextGamma(shape: Double) -> Double {
        GammaDistribution(shape: shape).sample(using: &self)
    }

    /// Beta(a, b) (``TensorEngine/BetaDistribution``, as `np.random.beta`).
    mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
        BetaDistribution(a, b).sample(using: &self)
    }

    /// Dirichlet(alpha, …, alpha) with `count` components: normalised gammas (`np.random.dirichlet`).
    mutating func nextDirichlet(alpha: Double, count: Int) -> [Double] {
        let draws = (0..<count).map { _ in nextGamma(shape: alpha) }
        let total = draws.reduce(0, +)
        return total > 0 ? draws.map { $0 / total } : [Double](repeating: 1 / Double(count), count: count)
    }

    /// `count` distinct indices drawn in turn with probability proportional to `weights` among
    /// those not yet drawn (`np.random.choice(n, count, replace=False, p=weights)`). Needs at least
    /// `count` positive weights.
    mutating func nextWeightedSample(weights: [Double], count: Int) -> [Int] {
        var remaining = weights
        var chosen: [Int] = []
        for _ in 0..<count {
            let total = remaining.reduce(0, +)
            precondition(total > 0, "nextWeightedSample: fewer than \(count) positive weights")
            var target = nextUniformDouble() * total
            var pick = remaining.lastIndex(where: { $0 > 0 })!
            for (i, w) in remaining.enumerated() where w > 0 {
                if target < w { pick = i; break }
                target -= w
            }
            chosen.append(pick)
            remaining[pick] = 0
        }
        return chosen
    }
}
