import Testing
@testable import Datasets

/// timm's level-to-argument table and torchvision's TrivialAugmentWide bins, as their own code
/// computes them (`golden.json`).
@Suite struct LevelMappingTests {
    /// Every family timm defines (but the absolute translations, in no policy) at magnitudes
    /// 0–10, with the sign left positive: the same double, or the same integer.
    @Test func timmLevelsToArguments() {
        var checked = 0
        for level in AugmentGolden.file.levels {
            guard let kind = AugmentOpKind(rawValue: level.kind) else {
                #expect(["TranslateX", "TranslateY"].contains(level.kind), "\(level.kind) is missing")
                continue
            }
            let argument = kind.argument(magnitude: level.magnitude, negate: false, translatePercent: 0.45)
            #expect(argument == level.args.first, "\(level.kind) at \(level.magnitude)")
            checked += 1
        }
        #expect(checked == (AugmentOpKind.allCases.count - 3) * 7)  // AutoContrast, Equalize, Invert take none
    }

    /// Signed families negate; the increasing enhancements negate around 1 and stop at 0.1.
    @Test func signs() {
        #expect(AugmentOpKind.rotate.argument(magnitude: 9, negate: true) == -27)
        #expect(AugmentOpKind.shearY.argument(magnitude: 10, negate: true) == -0.3)
        #expect(AugmentOpKind.translateXRel.argument(magnitude: 10, negate: true, translatePercent: 0.3) == -0.3)
        #expect(AugmentOpKind.colorIncreasing.argument(magnitude: 10, negate: true) == max(0.1, 1.0 - 0.9))
        #expect(AugmentOpKind.brightnessIncreasing.argument(magnitude: 5, negate: true) == 1.0 - 0.45)
        #expect(AugmentOpKind.solarize.argument(magnitude: 7, negate: true) == 179)
        for kind in AugmentOpKind.allCases where !kind.isSigned {
            #expect(kind.argument(magnitude: 6, negate: true) == kind.argument(magnitude: 6, negate: false))
        }
    }

    /// timm's relative translation is a fraction of the side in pixels.
    @Test func relativeTranslationInPixels() {
        let op = AugmentOpKind.translateYRel.imageOp(argument: 0.45, resampling: .nearest, width: 32, height: 24)
        #expect(op == .affine(AffineMatrix(1, 0, 0, 0, 1, 0.45 * 24), .nearest))
        #expect(AugmentOpKind.desaturate.imageOp(argument: 1, resampling: .nearest, width: 1, height: 1) == .color(factor: 0))
    }

    /// torchvision's bins: `torch.linspace` in float32 to within 2 units in the last place (torch's
    /// vectorised loop rounds some bins differently from its scalar formula, which we use), and
    /// the posterize bins exactly.
    @Test func trivialAugmentBins() {
        let policy = TrivialAugmentWide()
        for op in TrivialAugmentWide.Op.allCases {
            let expected = AugmentGolden.file.trivialBins[op.rawValue]!.map { Float($0) }
            let bins = op.hasMagnitudes ? (0..<31).map { Float(policy.magnitude(op, bin: $0)) } : [0]
            #expect(bins.count == expected.count)
            for (ours, theirs) in zip(bins, expected) {
                #expect(abs(ours - theirs) <= 2 * theirs.ulp, "\(op): \(ours) against torch's \(theirs)")
            }
            if op == .posterize { #expect(bins == expected) }
        }
    }

    /// The filled colour is timm's `img_mean` from the 0–255 mean, rounded half to even.
    @Test func fillFromMean() {
        #expect(AugmentSettings(mean: [123.675, 116.28, 103.53], interpolation: .random).fill == [124, 116, 104])
        #expect(AugmentSettings(mean: [0.5, 1.5, 300], interpolation: .random).fill == [0, 2, 255])
    }
}
