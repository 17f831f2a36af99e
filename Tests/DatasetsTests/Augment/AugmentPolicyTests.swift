import Testing
import TensorEngine
@testable import Datasets

/// The policies' random choices: which ops run, how magnitudes and filters are drawn, and that
/// a seed fixes everything.
@Suite struct AugmentPolicyTests {
    static let image = AugmentGolden.images["a"]!
    static let settings = AugmentSettings(fill: [124, 116, 104], interpolation: .fixed(.bilinear))

    static func run(_ policy: AugmentPolicy, seed: UInt64, image: DecodedImage = image,
                    settings: AugmentSettings = settings) -> DecodedImage {
        var random = RandomGenerator(seed: seed)
        return policy.apply(to: image, settings: settings, random: &random)
    }

    /// The same seed gives the same image; different seeds mostly different ones; shapes stay.
    @Test(arguments: ["rand-m9-mstd0.5-inc1", "randaug-m9-mstd0.5-inc1", "original", "autoaugr", "v0r", "3a",
                      "augmix-m5-w4-d2", "augmix-b1", "trivialaugwide", "rand-m9-tweights", "randaug-w0"])
    func seedsFixTheResult(_ recipe: String) throws {
        let policy = try AugmentPolicy(parsing: recipe)
        let randomFilters = AugmentSettings(fill: [124, 116, 104], interpolation: .random)
        var distinct = Set<[UInt8]>()
        for seed in UInt64(0)..<12 {
            let first = Self.run(policy, seed: seed, settings: randomFilters)
            #expect(first == Self.run(policy, seed: seed, settings: randomFilters))
            #expect(first.height == 24 && first.width == 32 && first.channels == 3)
            distinct.insert(first.pixels)
        }
        #expect(distinct.count >= 6, "\(recipe): \(distinct.count) distinct results of 12")
        let grey = AugmentGolden.images["b"]!
        #expect(Self.run(policy, seed: 3, image: grey).channels == 1)
    }

    /// RandAugment applies `layers` ops, each with its probability.
    @Test func randAugmentLayersAndProbability() {
        let invert = PolicyOp(.invert, probability: 1, magnitude: 0)
        #expect(Self.run(.randAugment(RandAugment(ops: [invert], layers: 2)), seed: 1) == Self.image)
        #expect(Self.run(.randAugment(RandAugment(ops: [invert], layers: 3)), seed: 1) == ImageOp.invert.apply(to: Self.image, fill: []))
        let never = PolicyOp(.invert, probability: 0, magnitude: 0)
        #expect(Self.run(.randAugment(RandAugment(ops: [never], layers: 5)), seed: 1) == Self.image)
        var inverted = 0
        for seed in UInt64(0)..<400 {
            let half = PolicyOp(.invert, probability: 0.5, magnitude: 0)
            if Self.run(.randAugment(RandAugment(ops: [half], layers: 1)), seed: seed) != Self.image { inverted += 1 }
        }
        #expect(abs(inverted - 200) < 40)
    }

    /// AutoAugment runs one whole sub-policy.
    @Test func autoAugmentRunsOneSubPolicy() {
        let policy = AutoAugment(subPolicies: [[PolicyOp(.invert, probability: 1, magnitude: 0),
                                                PolicyOp(.solarize, probability: 1, magnitude: 10)]])
        let expected = ImageOp.solarize(threshold: 256).apply(to: ImageOp.invert.apply(to: Self.image, fill: []), fill: [])
        #expect(Self.run(.autoAugment(policy), seed: 4) == expected)
    }

    /// Magnitudes: fixed without noise, N(m, std) clipped to [0, max], U(0, m) when infinite.
    @Test func magnitudeNoise() {
        var random = RandomGenerator(seed: 9)
        #expect(MagnitudeNoise().draw(9, random: &random) == 9)
        #expect(MagnitudeNoise(max: 10).draw(14, random: &random) == 10)
        let gaussian = (0..<4000).map { _ in MagnitudeNoise(std: 0.5).draw(5, random: &random) }
        let mean = gaussian.reduce(0, +) / 4000
        let spread = (gaussian.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4000).squareRoot()
        #expect(abs(mean - 5) < 0.05 && abs(spread - 0.5) < 0.05)
        let clipped = (0..<2000).map { _ in MagnitudeNoise(std: 3).draw(9, random: &random) }
        #expect(clipped.allSatisfy { (0...10).contains($0) } && clipped.contains(10))
        let uniform = (0..<4000).map { _ in MagnitudeNoise(std: .infinity).draw(8, random: &random) }
        #expect(uniform.allSatisfy { (0..<8).contains($0) } && abs(uniform.reduce(0, +) / 4000 - 4) < 0.15)
    }

    /// timm's random filter draws bilinear and bicubic about equally; a fixed one never changes.
    @Test func interpolationDraws() {
        var random = RandomGenerator(seed: 2)
        let draws = (0..<1000).map { _ in AugmentInterpolation.random.draw(random: &random) }
        #expect(abs(draws.filter { $0 == .bicubic }.count - 500) < 60 && !draws.contains(.nearest))
        #expect(AugmentInterpolation.fixed(.nearest).draw(random: &random) == .nearest)
    }

    /// Weighted choice without replacement, Beta and Dirichlet draws.
    @Test func distributions() {
        var random = RandomGenerator(seed: 21)
        var firsts = [0, 0, 0]
        for _ in 0..<4000 {
            let pick = random.nextWeightedSample(weights: [0, 1, 3], count: 2)
            #expect(Set(pick) == [1, 2])
            firsts[pick[0]] += 1
        }
        #expect(abs(Double(firsts[2]) / 4000 - 0.75) < 0.03)
        let betas = (0..<4000).map { _ in random.nextBeta(0.5, 0.5) }
        #expect(betas.allSatisfy { (0...1).contains($0) } && abs(betas.reduce(0, +) / 4000 - 0.5) < 0.03)
        let dirichlet = (0..<2000).map { _ in random.nextDirichlet(alpha: 1, count: 4) }
        #expect(dirichlet.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-12 && $0.allSatisfy { $0 >= 0 } })
        #expect(abs(dirichlet.map { $0[0] }.reduce(0, +) / 2000 - 0.25) < 0.02)
        let gammas = (0..<4000).map { _ in random.nextGamma(shape: 2.5) }
        #expect(abs(gammas.reduce(0, +) / 4000 - 2.5) < 0.1)
    }

    /// TrivialAugmentWide picks every op over enough images, each with one bin and sign.
    @Test func trivialAugmentCoversItsOps() {
        let policy = TrivialAugmentWide()
        var outcomes = Set<[UInt8]>()
        for seed in UInt64(0)..<300 { outcomes.insert(Self.run(.trivialAugmentWide(policy), seed: seed).pixels) }
        #expect(outcomes.count > 150)
        #expect(outcomes.contains(Self.image.pixels))  // Identity (and some no-op bins)
        #expect(outcomes.contains(ImageOp.equalize.apply(to: Self.image, fill: []).pixels))
        #expect(outcomes.contains(ImageOp.autoContrast.apply(to: Self.image, fill: []).pixels))
    }
}
