import Foundation
import Testing
import TensorEngine
@testable import Datasets

/// The whole per-image pipeline is the golden-tested steps composed in MindCV's order: Pillow's
/// resize of the random crop, the flips, the policy or else the jitter, normalisation, erasing.
@Suite struct ImageTransformTests {
    static let mean: [Float] = [123.675, 116.28, 103.53], std: [Float] = [58.395, 57.12, 57.375]
    static let normalization = PixelNormalization(mean: mean, std: std)

    /// A 61 × 83 textured test picture.
    static func photo() throws -> DecodedImage { TestImages.picture(height: 61, width: 83, seed: 11) }

    static func transform(_ augmentation: TrainingAugmentation) -> ImageTransform {
        ImageTransform(mode: .train(augmentation), normalization: normalization)
    }

    static func crop(_ interpolation: InterpolationChoice = .random, horizontalFlip: Double = 0.5) -> RandomResizedCrop {
        RandomResizedCrop(size: 24, scale: 0.25...1, interpolation: interpolation, horizontalFlip: horizontalFlip, verticalFlip: 0.3)
    }

    static func run(_ transform: ImageTransform, on image: DecodedImage, seed: UInt64) -> [Float] {
        var random = RandomGenerator(seed: seed)
        var out = [Float](repeating: 0, count: 3 * 24 * 24)
        out.withUnsafeMutableBufferPointer { transform.apply(image, random: &random, into: $0.baseAddress!) }
        return out
    }

    @Test func cropFlipsAndNormalisationArePillowsResizeFlippedAndNormalised() throws {
        let image = try Self.photo()
        let transform = Self.transform(TrainingAugmentation(crop: Self.crop()))
        var filters = Set<ResampleFilter>(), flips = Set<UInt8>()
        for seed in UInt64(0)..<24 {
            var random = RandomGenerator(seed: seed)
            let draw = Self.crop().draw(height: image.height, width: image.width, random: &random)
            filters.insert(draw.plan.filter)
            flips.insert(draw.flip.rawValue)
            let expected = draw.plan.apply(to: image).flipped(draw.flip)
            var pixels = [Float](repeating: 0, count: 3 * 24 * 24)
            pixels.withUnsafeMutableBufferPointer { Self.normalization.write(expected, into: $0.baseAddress!) }
            #expect(Self.run(transform, on: image, seed: seed) == pixels, "seed \(seed)")
        }
        #expect(filters == [.bilinear, .bicubic] && flips.count == 4, "the draws cover both filters and all flips")
    }

    @Test func everyRecipeFilterResamplesTheCrop() throws {
        let image = try Self.photo()
        var outputs: [[Float]] = []
        for filter in [ResampleFilter.nearest, .box, .bilinear, .bicubic] {
            let output = Self.run(Self.transform(TrainingAugmentation(crop: Self.crop(.fixed(filter)))), on: image, seed: 3)
            var random = RandomGenerator(seed: 3)
            let draw = Self.crop(.fixed(filter)).draw(height: image.height, width: image.width, random: &random)
            var expected = [Float](repeating: 0, count: output.count)
            expected.withUnsafeMutableBufferPointer {
                Self.normalization.write(draw.plan.apply(to: image).flipped(draw.flip), into: $0.baseAddress!)
            }
            #expect(output == expected, "\(filter)")
            outputs.append(output)
        }
        #expect(Set(outputs.map(\.description)).count == 4, "each filter gives its own pixels")
    }

    @Test func thePolicyRunsOnTheFlippedCropAndReplacesColourJitter() throws {
        let image = try Self.photo()
        let policy = try AugmentPolicy(parsing: "rand-m9-n3-mstd0.5-inc1")
        let settings = AugmentSettings(mean: Self.mean.map(Double.init), interpolation: .random)
        let withPolicy = Self.transform(TrainingAugmentation(crop: Self.crop(), policy: policy, policySettings: settings))
        var jittered = withPolicy
        if case .train(var augmentation) = jittered.mode {
            augmentation.colorJitter = ColorJitterStrength(brightness: 0.4, contrast: 0.4, saturation: 0.4)
            jittered.mode = .train(augmentation)
        }
        for seed in UInt64(0)..<8 {
            var random = RandomGenerator(seed: seed)
            let draw = Self.crop().draw(height: image.height, width: image.width, random: &random)
            let augmented = policy.apply(to: draw.plan.apply(to: image).flipped(draw.flip), settings: settings, random: &random)
            var expected = [Float](repeating: 0, count: 3 * 24 * 24)
            expected.withUnsafeMutableBufferPointer { Self.normalization.write(augmented, into: $0.baseAddress!) }
            #expect(Self.run(withPolicy, on: image, seed: seed) == expected, "seed \(seed)")
            #expect(Self.run(jittered, on: image, seed: seed) == expected, "jitter is off under a policy")
        }
    }

    @Test func colourJitterWorksOnTheFlippedCropsBytes() throws {
        let image = try Self.photo()
        let jitter = ColorJitterStrength(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1)
        let transform = Self.transform(TrainingAugmentation(crop: Self.crop(), colorJitter: jitter))
        var random = RandomGenerator(seed: 5)
        let draw = Self.crop().draw(height: image.height, width: image.width, random: &random)
        let jittered = jitter.draw(using: &random)!.apply(to: draw.plan.apply(to: image).flipped(draw.flip))
        var expected = [Float](repeating: 0, count: 3 * 24 * 24)
        expected.withUnsafeMutableBufferPointer { Self.normalization.write(jittered, into: $0.baseAddress!) }
        #expect(Self.run(transform, on: image, seed: 5) == expected)
    }

    @Test func erasingFillsABoxOfTheNormalisedImage() throws {
        let image = try Self.photo()
        let erasing = RandomErasing(probability: 1, fill: .constant([-7]))
        let plain = Self.transform(TrainingAugmentation(crop: Self.crop()))
        let erased = Self.transform(TrainingAugmentation(crop: Self.crop(), erasing: erasing))
        for seed in UInt64(0)..<10 {
            let before = Self.run(plain, on: image, seed: seed), after = Self.run(erased, on: image, seed: seed)
            let changed = zip(before, after).enumerated().filter { $0.element.0 != $0.element.1 }
            #expect(changed.allSatisfy { $0.element.1 == -7 }, "only the fill is written")
            let area = Double(changed.count) / 3 / Double(24 * 24)
            #expect(area > 0 && area <= 0.33 + 1e-9, "seed \(seed): erased \(area) of the image")
        }
    }

    @Test func aGreyImageFeedsAThreeChannelNetwork() throws {
        let grey = ImageDecoder.luma(try Self.photo())
        var transform = Self.transform(TrainingAugmentation(crop: Self.crop(), policy: try AugmentPolicy(parsing: "trivialaugwide")))
        transform.outputChannels = 3
        let out = Self.run(transform, on: grey, seed: 2)
        let plane = 24 * 24
        let bytes = (0..<3).map { c in (0..<plane).map { ((out[c * plane + $0] * Self.std[c] + Self.mean[c])).rounded() } }
        #expect(bytes[0] == bytes[1] && bytes[1] == bytes[2], "the grey channel repeated before normalisation")
    }

    @Test func evaluationIsTheCentreCropNormalised() throws {
        let image = try Self.photo()
        for filter in [ResampleFilter.bilinear, .bicubic] {
            let crop = EvaluationCrop(size: 24, cropPct: 0.875, filter: filter)
            let transform = ImageTransform(mode: .evaluation(crop), normalization: Self.normalization)
            #expect(!transform.allowsReducedDecoding)
            var expected = [Float](repeating: 0, count: 3 * 24 * 24)
            expected.withUnsafeMutableBufferPointer { Self.normalization.write(crop.apply(to: image), into: $0.baseAddress!) }
            #expect(Self.run(transform, on: image, seed: 0) == expected, "\(filter)")
        }
    }
}
