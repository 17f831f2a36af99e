import Testing
import TensorEngine
import Datasets

@Suite struct ColorJitterTests {
    /// One 2×2 RGB image, channel-planar, on the 0–255 scale.
    static let image: [Float] = [200, 100, 50, 0, /* G */ 50, 100, 150, 0, /* B */ 0, 100, 250, 0]

    func jitter(_ strength: ColorJitterStrength, seed: UInt64, channels: Int = 3, image: [Float] = image) -> [Float] {
        var random = RandomGenerator(seed: seed)
        var values = image
        strength.draw(using: &random)?.apply(to: &values, channels: channels, plane: image.count / channels)
        return values
    }

    @Test func noStrengthDrawsNothingAndChangesNothing() {
        var random = RandomGenerator(seed: 3)
        #expect(ColorJitterStrength.none.draw(using: &random) == nil)
        #expect(random.next() == RandomGenerator(seed: 3).nextCopy())
    }

    /// Brightness alone scales every value by one factor in [1 − s, 1 + s], clamped to 255.
    @Test func brightnessScales() {
        for seed in UInt64(0)..<20 {
            let out = jitter(ColorJitterStrength(brightness: 0.5), seed: seed)
            let factor = out[1] / Self.image[1]
            #expect(factor >= 0.5 && factor <= 1.5)
            for (o, i) in zip(out, Self.image) { #expect(abs(o - min(255, i * factor)) < 1e-3) }
        }
    }

    /// Contrast keeps the mean grey level (ITU-R 601-2 luma) of an image away from the clamps.
    @Test func contrastBlendsWithTheMeanLuma() {
        let grey: [Float] = [100, 120, 140, 160]
        for seed in UInt64(0)..<10 {
            let out = jitter(ColorJitterStrength(contrast: 0.4), seed: seed, channels: 1, image: grey)
            #expect(abs(out.reduce(0, +) / 4 - 130) < 1e-3)
        }
    }

    /// Saturation and hue leave a one-channel image as it is, as in torchvision.
    @Test func saturationAndHueSpareGreyImages() {
        let grey: [Float] = [10, 80, 160, 240]
        #expect(jitter(ColorJitterStrength(saturation: 0.9, hue: 0.5), seed: 1, channels: 1, image: grey) == grey)
    }

    /// A hue shift keeps each pixel's value (max) and saturation and moves its hue; a full turn is
    /// the identity.
    @Test func hueShiftKeepsValueAndSaturation() {
        for seed in UInt64(0)..<10 {
            let out = jitter(ColorJitterStrength(hue: 0.5), seed: seed)
            for pixel in 0..<4 {
                let before = (0..<3).map { Self.image[$0 * 4 + pixel] }, after = (0..<3).map { out[$0 * 4 + pixel] }
                #expect(abs(before.max()! - after.max()!) < 1e-3)
                #expect(abs((before.max()! - before.min()!) - (after.max()! - after.min()!)) < 1e-2)
            }
        }
    }
}

extension RandomGenerator {
    /// The next value of a copy, leaving this generator as it is.
    func nextCopy() -> UInt64 {
        var copy = self
        return copy.next()
    }
}
