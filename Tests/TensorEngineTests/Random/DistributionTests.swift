import Testing
import TensorEngine

@Suite struct DistributionTests {
    /// Gamma and Beta samples have their distributions' means and variances (Gamma(k): k and k;
    /// Beta(a, b): a/(a+b) and ab/((a+b)²(a+b+1))), within about five standard errors of 200 000
    /// draws, for shapes below, at and above 1 (the two branches of the sampler).
    @Test func gammaAndBetaMoments() {
        var g = RandomGenerator(seed: 3)
        let n = 200_000
        func moments(_ draw: () -> Double) -> (mean: Double, variance: Double) {
            let values = (0..<n).map { _ in draw() }
            let mean = values.reduce(0, +) / Double(n)
            return (mean, values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n))
        }
        for shape in [0.3, 1.0, 2.5, 9.0] {
            let (mean, variance) = moments { GammaDistribution(shape: shape).sample(using: &g) }
            #expect(abs(mean - shape) < 5 * (shape / Double(n)).squareRoot(), "Gamma(\(shape)) mean \(mean)")
            #expect(abs(variance / shape - 1) < 0.06, "Gamma(\(shape)) variance \(variance)")
        }
        for (a, b) in [(0.2, 0.2), (0.8, 0.8), (1.0, 1.0), (2.0, 5.0)] {
            let expectedMean = a / (a + b), expectedVariance = a * b / ((a + b) * (a + b) * (a + b + 1))
            var inRange = true
            let (mean, variance) = moments {
                let value = BetaDistribution(a, b).sample(using: &g)
                inRange = inRange && value >= 0 && value <= 1
                return value
            }
            #expect(inRange, "Beta(\(a), \(b)) left [0, 1]")
            #expect(abs(mean - expectedMean) < 5 * (expectedVariance / Double(n)).squareRoot(), "Beta(\(a), \(b)) mean \(mean)")
            #expect(abs(variance / expectedVariance - 1) < 0.03, "Beta(\(a), \(b)) variance \(variance)")
        }
    }

    /// Very small shapes, whose Gamma samples underflow, still give Beta samples in [0, 1], mostly
    /// near 0 or 1, never NaN.
    @Test func betaWithTinyShapesStaysFinite() {
        var g = RandomGenerator(seed: 4)
        let beta = BetaDistribution(0.01, 0.01)
        let values = (0..<10_000).map { _ in beta.sample(using: &g) }
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(values.filter { $0 < 0.01 || $0 > 0.99 }.count > 9_000)
    }
}
