#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Beta(a, b) on [0, 1]: mean a/(a+b), variance ab/((a+b)²(a+b+1)). Mixup and CutMix draw their λ
/// from Beta(α, α).
public struct BetaDistribution: Sendable, Equatable {
    public let a: GammaDistribution
    public let b: GammaDistribution

    public init(_ a: Double, _ b: Double) {
        self.a = GammaDistribution(shape: a)
        self.b = GammaDistribution(shape: b)
    }

    /// One sample, X / (X + Y) for X ~ Gamma(a), Y ~ Gamma(b), formed from their logarithms so
    /// that small shapes give values at or near 0 and 1 rather than NaN.
    public func sample(using random: inout RandomGenerator) -> Double {
        let logX = a.logSample(using: &random), logY = b.logSample(using: &random)
        return 1 / (1 + exp(logY - logX))
    }
}
