import Testing
import TensorEngine
@testable import Datasets

/// Training and evaluation geometry against timm and torchvision on the fixtures, with the same
/// uniform draws fed to both.
@Suite struct GeometryTests {
    @Test(arguments: TransformFixtures.cases.rrcParams.indices)
    func cropParametersAreTimms(_ index: Int) {
        let c = TransformFixtures.cases.rrcParams[index]
        var draws = FedUniforms(c.uniforms)
        let region = RandomResizedCrop.region(height: c.height, width: c.width, scale: c.scale[0]...c.scale[1],
                                              ratio: c.ratio[0]...c.ratio[1]) { draws.next() }
        #expect([region.top, region.left, region.height, region.width] == c.crop)
        #expect(draws.used == c.uniforms.count, "draws the same number of uniforms as timm")
    }

    /// timm's whole `RandomResizedCropAndInterpolation`, `random` interpolation included.
    @Test(arguments: TransformFixtures.cases.rrc.indices)
    func randomResizedCropIsTimms(_ index: Int) throws {
        let c = TransformFixtures.cases.rrc[index]
        let crop = RandomResizedCrop(size: c.size, scale: c.scale[0]...c.scale[1], ratio: c.ratio[0]...c.ratio[1],
                                     interpolation: try #require(InterpolationChoice(recipeName: c.interpolation)),
                                     horizontalFlip: 0)
        let photo = try TransformFixtures.image("photo")
        var draws = FedUniforms(c.uniforms)
        let draw = crop.draw(height: photo.height, width: photo.width) { draws.next() }
        #expect(draws.used == c.uniforms.count)
        #expect(TransformFixtures.worst(draw.plan.apply(to: photo), try TransformFixtures.image(c.expected)) == 0, "\(c.expected)")
    }

    /// timm's `transforms_imagenet_eval`: resize the shorter side to ⌊size / crop_pct⌋, centre crop
    /// (with zero padding when crop_pct > 1 leaves the image short).
    @Test(arguments: TransformFixtures.cases.eval.indices)
    func evaluationCropIsTimms(_ index: Int) throws {
        let c = TransformFixtures.cases.eval[index]
        let crop = EvaluationCrop(size: c.size, cropPct: c.cropPct, filter: try #require(ResampleFilter(rawValue: c.interpolation)))
        let out = crop.apply(to: try TransformFixtures.image(c.source))
        #expect(TransformFixtures.worst(out, try TransformFixtures.image(c.expected)) == 0, "\(c.expected)")
    }

    @Test func evaluationSizesAreTorchvisions() {
        #expect(EvaluationCrop(size: 224).scaleSize == 256)
        #expect(EvaluationCrop(size: 256, cropPct: 0.9).scaleSize == 284)
        #expect(EvaluationCrop.shorterSide(height: 375, width: 500, to: 256) == (256, 341))
        #expect(EvaluationCrop.shorterSide(height: 500, width: 333, to: 256) == (384, 256))
        // Offsets round half to even (Python's round): 5 / 2 → 2, 7 / 2 → 4; a longer crop pads.
        #expect(EvaluationCrop.centredOffset(length: 15, crop: 10) == 2)
        #expect(EvaluationCrop.centredOffset(length: 17, crop: 10) == 4)
        #expect(EvaluationCrop.centredOffset(length: 7, crop: 10) == -1)
    }

    /// Flips mirror; flipping twice is the identity; the draws decide flips at the given rates.
    @Test func flips() throws {
        let photo = try TransformFixtures.image("photo")
        let h = photo.flipped(.horizontal), v = photo.flipped(.vertical)
        #expect(Array(h.pixels[0..<3]) == Array(photo.pixels[(photo.width - 1) * 3..<photo.width * 3]))
        #expect(Array(v.pixels[0..<3]) == Array(photo.pixels[(photo.height - 1) * photo.width * 3..<((photo.height - 1) * photo.width + 1) * 3]))
        #expect(h.flipped(.horizontal).pixels == photo.pixels)
        #expect(photo.flipped([.horizontal, .vertical]).pixels == h.flipped(.vertical).pixels)
        let crop = RandomResizedCrop(size: 8, horizontalFlip: 0.5, verticalFlip: 0.25)
        var random = RandomGenerator(seed: 5)
        var counts = (0, 0)
        for _ in 0..<4000 {
            let flip = crop.draw(height: 48, width: 64, random: &random).flip
            if flip.contains(.horizontal) { counts.0 += 1 }
            if flip.contains(.vertical) { counts.1 += 1 }
        }
        #expect(abs(counts.0 - 2000) < 150 && abs(counts.1 - 1000) < 120)
    }

    /// MindCV's normalisation of a flipped crop, `[C, H, W]` float32: exactly NumPy's float32
    /// (x − mean) / std; torchvision's (x / 255 − m) / s is within a few 1e-7 relative.
    @Test func normalisationIsMindCVs() throws {
        let c = try #require(TransformFixtures.cases.normalize.first)
        let image = try TransformFixtures.image(c.source)
        let normalization = PixelNormalization(mean: c.mean, std: c.std)
        var out = [Float](repeating: .nan, count: image.pixels.count)
        normalization.write(image, flip: c.horizontalFlip ? .horizontal : [], into: &out)
        let data = try Data(contentsOf: URL(fileURLWithPath: TransformFixtures.path(c.expected)))
        let expected = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(out == expected)
        var worst: Float = 0
        let torchMean: [Float] = [0.485, 0.456, 0.406], torchStd: [Float] = [0.229, 0.224, 0.225]
        let plane = image.height * image.width
        for (i, value) in out.enumerated() {
            let channel = i / plane, y = (i % plane) / image.width, x = image.width - 1 - i % image.width
            let byte = Float(image.pixels[(y * image.width + x) * 3 + channel])
            worst = max(worst, abs((byte / 255 - torchMean[channel]) / torchStd[channel] - value))
        }
        #expect(worst < 2e-6)
    }

    /// A grey image written for a three-channel network repeats its channel, each normalised
    /// with its own statistics.
    @Test func greyToThreeChannels() throws {
        let grey = try TransformFixtures.image("grey")
        let normalization = PixelNormalization(mean: [10, 20, 30], std: [2, 4, 5])
        let plane = grey.height * grey.width
        var out = [Float](repeating: .nan, count: 3 * plane)
        normalization.write(grey, channels: 3, into: &out)
        for i in [0, 17, plane - 1] {
            let x = Float(grey.pixels[i])
            #expect(out[i] == (x - 10) / 2 && out[plane + i] == (x - 20) / 4 && out[2 * plane + i] == (x - 30) / 5)
        }
    }
}

import Foundation
