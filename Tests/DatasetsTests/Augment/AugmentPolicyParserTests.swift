import Testing
@testable import Datasets

/// `auto_augment` strings: timm's spellings against the policies timm builds from them
/// (`golden.json`), MindCV's spellings against MindCV's lists and defaults, and refusals.
@Suite struct AugmentPolicyParserTests {
    static func parse(_ recipe: String) throws(AugmentPolicyError) -> AugmentPolicy { try AugmentPolicy(parsing: recipe) }

    static func ops(_ ops: [PolicyOp]) -> [String] {
        ops.map { "\($0.kind.rawValue) \($0.probability) \($0.magnitude)" }
    }

    static func ops(_ ops: [AugmentGolden.Op]) -> [String] {
        ops.map { "\($0.name) \($0.probability) \($0.magnitude)" }
    }

    /// The noise timm sets: its `magnitude_max` of None (or 0) clips at 10.
    static func noise(_ policy: AugmentGolden.Policy) -> MagnitudeNoise {
        MagnitudeNoise(std: policy.magnitudeStd ?? 0, max: (policy.magnitudeMax ?? 0) == 0 ? 10 : policy.magnitudeMax!)
    }

    @Test(arguments: AugmentGolden.file.policies.keys.sorted())
    func timmSpelling(_ recipe: String) throws {
        let expected = AugmentGolden.file.policies[recipe]!
        switch try Self.parse(recipe) {
        case .randAugment(let policy):
            #expect(expected.kind == "rand")
            #expect(Self.ops(policy.ops) == Self.ops(expected.ops!))
            #expect(policy.layers == expected.layers)
            #expect(policy.noise == Self.noise(expected))
            #expect(policy.translatePercent == expected.translatePercent)
            if let weights = expected.weights {
                let ours = try #require(policy.weights)
                #expect(zip(ours, weights).allSatisfy { abs($0 - $1) < 1e-12 } && ours.count == weights.count)
            } else {
                #expect(policy.weights == nil)
            }
        case .autoAugment(let policy):
            #expect(expected.kind == "auto")
            #expect(policy.subPolicies.map(Self.ops) == expected.subPolicies!.map(Self.ops))
            #expect(policy.noise == Self.noise(expected))
            #expect(policy.translatePercent == expected.translatePercent)
        case .augMix(let policy):
            #expect(expected.kind == "augmix")
            #expect(Self.ops(policy.ops) == Self.ops(expected.ops!))
            #expect(policy.alpha == expected.alpha && policy.width == expected.width && policy.blended == expected.blended)
            #expect(policy.depth == expected.depth)
            #expect(policy.noise == Self.noise(expected))
            #expect(policy.translatePercent == expected.translatePercent)
        case .trivialAugmentWide:
            Issue.record("\(recipe) parsed as TrivialAugmentWide")
        }
    }

    /// MindCV's `randaug`: 14 ops (no SolarizeAdd), magnitude noise 0.5 unless the string sets it,
    /// `inc1` the increasing ops, `w0` MindCV's choice weights.
    @Test func mindCVRandAugment() throws {
        guard case .randAugment(let plain) = try Self.parse("randaug-m9-mstd0.5-inc1") else { Issue.record(); return }
        #expect(plain.ops.map(\.kind) == RandAugment.mindCVIncreasingKinds && plain.ops.count == 14)
        #expect(!plain.ops.map(\.kind).contains(.solarizeAdd))
        #expect(plain.ops.allSatisfy { $0.magnitude == 9 && $0.probability == 0.5 })
        #expect(plain.noise == MagnitudeNoise(std: 0.5) && plain.layers == 2 && plain.weights == nil)

        guard case .randAugment(let defaults) = try Self.parse("randaug-m7") else { Issue.record(); return }
        #expect(defaults.ops.map(\.kind) == RandAugment.mindCVKinds && defaults.noise.std == 0.5)

        guard case .randAugment(let off) = try Self.parse("randaug-m9-n3-inc0-mstd1.5-mmax12") else { Issue.record(); return }
        #expect(off.ops.map(\.kind) == RandAugment.mindCVKinds && off.layers == 3)
        #expect(off.noise == MagnitudeNoise(std: 1.5, max: 12))

        guard case .randAugment(let weighted) = try Self.parse("randaug-m10-n2-w0-mstd0.5-mmax10-inc0") else { Issue.record(); return }
        #expect(weighted.weights == RandAugment.mindCVWeights)
        #expect(weighted.weights?[2] == 0 && weighted.ops[2].kind == .invert)
    }

    /// MindCV's `autoaug` / `autoaugr` are timm's `original` / `originalr` with noise 0.5;
    /// `3a` is timm's; `trivialaugwide` is torchvision's with `m` bins.
    @Test func mindCVAutoAugmentAndTrivialAugment() throws {
        #expect(try Self.parse("autoaug") == .autoAugment(AutoAugment(.original, noise: MagnitudeNoise(std: 0.5))))
        #expect(try Self.parse("autoaugr") == .autoAugment(AutoAugment(.originalr, noise: MagnitudeNoise(std: 0.5))))
        #expect(try Self.parse("autoaug-mstd0.2") == .autoAugment(AutoAugment(.original, noise: MagnitudeNoise(std: 0.2))))
        #expect(try Self.parse("3a-mstd1") == .autoAugment(AutoAugment(.threeAugment, noise: MagnitudeNoise(std: 1))))
        #expect(try Self.parse("trivialaugwide") == .trivialAugmentWide(TrivialAugmentWide()))
        #expect(try Self.parse("trivialaugwide-m20") == .trivialAugmentWide(TrivialAugmentWide(bins: 20)))
        #expect(try Self.parse("augmix") == .augMix(AugMix(ops: AugMix.defaultOps(magnitude: 3))))
        #expect(try Self.parse("augmix-m5-w4-d2-a1") == .augMix(AugMix(ops: AugMix.defaultOps(magnitude: 5), width: 4, depth: 2)))
        #expect(try Self.parse("rand-mstd200") == .randAugment(RandAugment(
            ops: RandAugment.standardKinds.map { PolicyOp($0, probability: 0.5, magnitude: 10) },
            noise: MagnitudeNoise(std: .infinity))))
    }

    /// Bad strings name the part at fault.
    @Test(arguments: [
        ("", ""), ("randaugment-m9", "randaugment"), ("rand-m9-x3", "x3"), ("rand-m9.5", "m9.5"),
        ("rand-m", "m"), ("rand-m9-m7", "m7"), ("rand--m9", "rand--m9"), ("rand-m9-", "rand-m9-"),
        ("rand-tfoo", "tfoo"), ("rand-w0", "w0"), ("randaug-t3a", "t3a"), ("randaug-w1", "w1"),
        ("randaug-p0.3", "p0.3"), ("rand-p1.5", "p1.5"), ("rand-mstd-1", "mstd"), ("rand-9", "9"),
        ("original-m9", "m9"), ("autoaug-inc1", "inc1"), ("v1", "v1"), ("trivialaugwide-m1", "m1"),
        ("augmix-w0", "w0"), ("augmix-t3", "t3"), ("AUTOAUG", "AUTOAUG"), ("rand-tweights-n20", "n20"),
        ("randaug-w0-n14", "n14"), ("rand m9", "rand m9"),
    ])
    func refusals(_ recipe: String, _ part: String) {
        do {
            let policy = try Self.parse(recipe)
            Issue.record("'\(recipe)' parsed as \(policy)")
        } catch {
            #expect(error.part == part, "\(error)")
            #expect(error.description.hasPrefix("auto_augment '\(recipe)': '\(part)' "))
        }
    }

    @Test func messagesSayWhatIsExpected() {
        #expect(throws: AugmentPolicyError.self) { try Self.parse("rand-q1") }
        let error = try? #require(throws: AugmentPolicyError.self) { try Self.parse("rand-q1") }
        #expect(error?.problem.contains("expected m, n, p, mstd, mmax, inc, t") == true)
        let family = try? #require(throws: AugmentPolicyError.self) { try Self.parse("autoaugment") }
        #expect(family?.problem.contains("randaug") == true && family?.problem.contains("trivialaugwide") == true)
    }
}
