import Foundation
import TensorEngine

/// The distributions the policies draw from, on the engine's generator: what Python's `random`
/// and NumPy's `np.random` give timm, with the same distributions (not the same streams).
extension RandomGenerator {
    /// N(mean, std²) in double precision (Box–Muller), as `random.gauss`.
    mutating func nextGaussian(mean: Double, std: Double) -> Double {
        let u1 = max(nextUniformDouble(), Double.leastNonzeroMagnitude), u2 = nextUniformDouble()
        return mean + std * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Gamma(shape, 1) by Marsaglia and Tsang's method (shape < 1 boosted by U^(1/shape)).
    mutating func nextGamma(shape: Double) -> Double {
        precondition(shape > 0, "nextGamma: shape \(shape) is not positive")
        if shape < 1 {
            let boost = pow(max(nextUniformDouble(), Double.leastNonzeroMagnitude), 1 / shape)
            return nextGamma(shape: shape + 1) * boost
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                x = nextGaussian(mean: 0, std: 1)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextUniformDouble()
            if u < 1 - 0.0331 * x * x * x * x || log(max(u, Double.leastNonzeroMagnitude)) < 0.5 * x * x + d * (1 - v + log(v)) {
                return d * v
            }
        }
    }

    /// Beta(a, b) as X / (X + Y) of two gammas (`np.random.beta`).
    mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
        let x = nextGamma(shape: a), y = nextGamma(shape: b)
        return x + y > 0 ? x / (x + y) : 0.5
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
