#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Gamma(shape, 1): mean and variance `shape`.
public struct GammaDistribution: Sendable, Equatable {
    public let shape: Double

    public init(shape: Double) {
        guard shape > 0, shape.isFinite else { EngineError.fail("GammaDistribution", "shape \(shape) must be positive and finite") }
        self.shape = shape
    }

    /// One sample.
    public func sample(using random: inout RandomGenerator) -> Double {
        exp(logSample(using: &random))
    }

    /// The natural logarithm of one sample.
    ///
    /// Marsaglia and Tsang's squeeze-and-reject method (2000) for shape ≥ 1; below 1 the sample is
    /// Gamma(shape + 1)·U^(1/shape), whose logarithm is kept because the sample itself underflows
    /// to 0 for small shapes (shape 0.01 gives values below 1e-300 now and then), where ratios
    /// of samples (``BetaDistribution``) would become 0/0.
    public func logSample(using random: inout RandomGenerator) -> Double {
        var boost = 0.0, shape = self.shape
        if shape < 1 {
            boost = log(1 - random.nextUniformDouble()) / shape
            shape += 1
        }
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            let x = random.nextNormalDouble()
            let root = 1 + c * x
            guard root > 0 else { continue }
            let v = root * root * root
            let u = 1 - random.nextUniformDouble()
            let xx = x * x
            if u < 1 - 0.0331 * xx * xx || log(u) < 0.5 * xx + d * (1 - v + log(v)) {
                return log(d) + log(v) + boost
            }
        }
    }
}
