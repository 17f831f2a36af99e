import Testing
@testable import Datasets

/// Every op against Pillow 12 as timm and torchvision call it (`tools/make_augment_golden.py`),
/// byte for byte: the point, enhance and blur ops are Pillow's integer and single-precision
/// arithmetic, and the affine resampler follows Pillow's nearest paths and its double-precision
/// bilinear and bicubic formulas with their truncation.
@Suite struct ImageOpGoldenTests {
    static let pillowCases = AugmentGolden.file.cases.filter { $0.op != nil }
    static let timmCases = AugmentGolden.file.cases.filter { $0.timm != nil }
    static let trivialCases = AugmentGolden.file.cases.filter { $0.trivial != nil }
    static let augMixCases = AugmentGolden.file.cases.filter { $0.augmix != nil }

    static func imageOp(_ item: AugmentGolden.Case) -> ImageOp {
        switch item.op! {
        case "identity": .identity
        case "autoContrast": .autoContrast
        case "equalize": .equalize
        case "invert": .invert
        case "posterize": .posterize(bits: item.bits!)
        case "solarize": .solarize(threshold: item.threshold!)
        case "solarizeAdd": .solarizeAdd(add: item.add!, threshold: Int(item.threshold!))
        case "color": .color(factor: item.factor!)
        case "contrast": .contrast(factor: item.factor!)
        case "brightness": .brightness(factor: item.factor!)
        case "sharpness": .sharpness(factor: item.factor!)
        case "gaussianBlur": .gaussianBlur(radius: item.radius!)
        case "rotate": .rotate(degrees: item.degrees!, item.resampling)
        case "shearX": .shearX(item.factor!, item.resampling)
        case "shearY": .shearY(item.factor!, item.resampling)
        case "translateX": .translateX(item.pixels!, item.resampling)
        case "translateY": .translateY(item.pixels!, item.resampling)
        default: fatalError("unknown op \(item.op!)")
        }
    }

    static func check(_ output: DecodedImage, _ item: AugmentGolden.Case) {
        let expected = AugmentGolden.expected(item)
        #expect(output.height == expected.height && output.width == expected.width && output.channels == expected.channels)
        let (worst, count) = AugmentGolden.difference(output, expected)
        #expect(worst == 0, "\(item): \(count) bytes differ, by up to \(worst)")
    }

    @Test(arguments: pillowCases)
    func pillowOp(_ item: AugmentGolden.Case) {
        let input = AugmentGolden.images[item.image]!
        Self.check(Self.imageOp(item).apply(to: input, fill: item.fill ?? []), item)
    }

    /// timm's `AugmentOp` at a fixed magnitude, sign and filter: level mapping and op together.
    @Test(arguments: timmCases)
    func timmOpAtLevel(_ item: AugmentGolden.Case) {
        let input = AugmentGolden.images[item.image]!
        let kind = AugmentOpKind(rawValue: item.timm!)!
        let argument = kind.argument(magnitude: item.magnitude!, negate: false, translatePercent: item.translatePercent!)
        let op = kind.imageOp(argument: argument, resampling: item.resampling, width: input.width, height: input.height)
        Self.check(op.apply(to: input, fill: item.fill!), item)
    }

    /// torchvision's `_apply_op` at a bin of TrivialAugmentWide's magnitudes (within 2 ulps of
    /// torch's float32 value, see `LevelMappingTests.trivialAugmentBins`).
    @Test(arguments: trivialCases)
    func trivialAugmentOp(_ item: AugmentGolden.Case) {
        let input = AugmentGolden.images[item.image]!
        let policy = TrivialAugmentWide()
        let op = TrivialAugmentWide.Op(rawValue: item.trivial!)!
        var magnitude = policy.magnitude(op, bin: item.bin!)
        if op.isSigned && item.negate! { magnitude = -magnitude }
        #expect(abs(Float(magnitude) - Float(item.magnitude!)) <= 2 * Float(item.magnitude!).ulp)
        let imageOp = policy.imageOp(op, magnitude: magnitude, resampling: item.resampling, width: input.width, height: input.height)
        Self.check(imageOp.apply(to: input, fill: policy.fill), item)
    }

    /// timm's AugMix mixing (basic and blended) given three chains of one Equalize each.
    @Test(arguments: augMixCases)
    func augMixMixing(_ item: AugmentGolden.Case) {
        let input = AugmentGolden.images[item.image]!
        let chain = ImageOp.equalize.apply(to: input, fill: [])
        let chains = [DecodedImage](repeating: chain, count: 3)
        let weights = item.weights!.map { Float($0) }, m = Float(item.m!)
        let output = item.augmix == "blended" ? AugMix.mixBlended(input, chains: chains, weights: weights, m: m)
                                              : AugMix.mix(input, chains: chains, weights: weights, m: m)
        Self.check(output, item)
    }

    /// Rotating by whole turns copies; a grey image keeps its one channel through every op.
    @Test func wholeTurnsAndGreyImages() {
        let a = AugmentGolden.images["a"]!, b = AugmentGolden.images["b"]!
        #expect(ImageOp.rotate(degrees: 360, .bicubic).apply(to: a, fill: [1, 2, 3]) == a)
        #expect(ImageOp.rotate(degrees: -720, .nearest).apply(to: a, fill: [1, 2, 3]) == a)
        for op in [ImageOp.equalize, .color(factor: 0), .sharpness(factor: 2), .rotate(degrees: 10, .bilinear)] {
            #expect(op.apply(to: b, fill: [9, 9, 9]).channels == 1)
        }
    }
}
