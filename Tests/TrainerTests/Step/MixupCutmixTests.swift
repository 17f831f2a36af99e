import Foundation
import Testing
import TensorEngine
import Datasets
import Trainer

@Suite struct MixupCutmixTests {
    /// Each case of timm's `Mixup` (batch mode, label smoothing 0.1) with the same scripted draws:
    /// the same box, the same corrected λ, the same mixed images and the same soft targets.
    @Test func matchesTimmForTheSameDraws() throws {
        let fixture = try MixupFixture()
        let batch = Batch(images: Tensor(shape: fixture.shape, values: fixture.images), labels: fixture.labels)
        let height = fixture.shape[2], width = fixture.shape[3]
        for golden in fixture.cases {
            let transform = MixupCutmix(mixupAlpha: golden.mixupAlpha, cutmixAlpha: golden.cutmixAlpha,
                                        labelSmoothing: fixture.labelSmoothing, classes: fixture.classes)
            let mix: BatchMix
            if let centre = golden.centre {
                let box = CutmixBox(height: height, width: width, lambda: golden.beta, centerY: centre.row, centerX: centre.column)
                #expect([box.top, box.bottom, box.left, box.right] == golden.box, "\(golden.name): box")
                mix = .cutmix(box)
            } else {
                mix = golden.beta < 1 ? .mixup(lambda: golden.beta) : .unmixed
            }
            #expect(mix.lambda == golden.lambda, "\(golden.name): λ \(mix.lambda) vs timm's \(golden.lambda)")
            let mixed = transform.apply(mix, to: batch)
            expectClose(mixed.images.scalars, golden.images, tolerance: 1e-6, "\(golden.name): images")
            expectClose(try #require(mixed.softTargets).scalars, golden.targets, tolerance: 1e-6, "\(golden.name): targets")
            #expect(mixed.labels == batch.labels, "labels stay the unmixed ones")
            #expect(batch.images.scalars == fixture.images, "the input batch is left as it was")
        }
    }

    /// Inside the box every pixel is the partner's (the image at B − 1 − i), outside it the image's
    /// own; λ is the kept fraction and each target row carries that much of the own label.
    @Test func cutmixPastesThePartnersBoxAndCorrectsLambda() {
        var random = RandomGenerator(seed: 11)
        let (count, channels, height, width) = (6, 2, 9, 7)
        let images = Tensor.normal([count, channels, height, width], using: &random)
        let labels: [Int32] = [0, 1, 2, 3, 4, 5]
        let box = CutmixBox(height: height, width: width, lambda: 0.2, centerY: 8, centerX: 1)
        // √0.8 = 0.894: cut 8 rows and 6 columns; rows 4..<12 and columns -2..<4, clipped.
        #expect((box.top, box.bottom, box.left, box.right) == (4, 9, 0, 4))
        #expect(box.keptFraction == 1 - 20.0 / 63.0)
        let transform = MixupCutmix(mixupAlpha: 0, cutmixAlpha: 1, classes: 6)
        let mixed = transform.apply(.cutmix(box), to: Batch(images: images, labels: labels))
        let source = images.scalars, result = mixed.images.scalars
        for sample in 0..<count {
            for channel in 0..<channels {
                for row in 0..<height {
                    for column in 0..<width {
                        let inside = (box.top..<box.bottom).contains(row) && (box.left..<box.right).contains(column)
                        let from = inside ? count - 1 - sample : sample
                        let offset = ((channel * height) + row) * width + column
                        let plane = channels * height * width
                        #expect(result[sample * plane + offset] == source[from * plane + offset])
                    }
                }
            }
        }
        let targets = mixed.softTargets!.scalars
        for row in 0..<count {
            #expect(abs(targets[row * 6 + row] - Float(box.keptFraction)) < 1e-6)
            #expect(abs(targets[row * 6 + (count - 1 - row)] - Float(1 - box.keptFraction)) < 1e-6)
        }
    }

    /// Every target row sums to 1, whatever was drawn, with and without smoothing; mixup images
    /// are λ·x + (1 − λ)·partner.
    @Test func targetRowsSumToOneAndMixupBlends() {
        var random = RandomGenerator(seed: 12)
        let images = Tensor.normal([8, 3, 6, 6], using: &random)
        let labels: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6]
        for smoothing: Float in [0, 0.1, 0.3] {
            let transform = MixupCutmix(mixupAlpha: 0.8, cutmixAlpha: 1.0, probability: 0.7, labelSmoothing: smoothing, classes: 10)
            for _ in 0..<20 {
                let mixed = transform(Batch(images: images, labels: labels), random: &random)
                let targets = mixed.softTargets!.scalars
                for row in 0..<8 {
                    let mass = targets[row * 10..<(row + 1) * 10].reduce(0, +)
                    #expect(abs(mass - 1) < 1e-5, "row \(row) sums to \(mass)")
                    #expect(targets[row * 10..<(row + 1) * 10].allSatisfy { $0 >= smoothing / 10 - 1e-7 })
                }
            }
        }
        let transform = MixupCutmix(mixupAlpha: 1, cutmixAlpha: 0, classes: 10)
        let mixed = transform.apply(.mixup(lambda: 0.3), to: Batch(images: images, labels: labels)).images.scalars
        let source = images.scalars, plane = 3 * 6 * 6
        for sample in 0..<8 {
            for i in stride(from: 0, to: plane, by: 7) {
                let expected = 0.3 * source[sample * plane + i] + 0.7 * source[(7 - sample) * plane + i]
                #expect(abs(mixed[sample * plane + i] - expected) < 1e-6)
            }
        }
    }

    /// An odd batch's middle image is its own partner: it keeps its pixels and its plain target.
    @Test func oddBatchMiddleImageMixesWithItself() {
        var random = RandomGenerator(seed: 13)
        let images = Tensor.normal([5, 1, 4, 4], using: &random)
        let labels: [Int32] = [0, 1, 2, 3, 0]
        let transform = MixupCutmix(mixupAlpha: 1, cutmixAlpha: 1, classes: 4)
        let box = CutmixBox(height: 4, width: 4, lambda: 0.4, centerY: 2, centerX: 2)
        for mix in [BatchMix.mixup(lambda: 0.4), .cutmix(box)] {
            let mixed = transform.apply(mix, to: Batch(images: images, labels: labels))
            let middle = Array(mixed.images.scalars[2 * 16..<3 * 16]), original = Array(images.scalars[2 * 16..<3 * 16])
            #expect(zip(middle, original).allSatisfy { abs($0 - $1) < 1e-6 }, "\(mix)")
            #expect(Array(mixed.softTargets!.scalars[2 * 4..<3 * 4]).map { ($0 * 1e5).rounded() / 1e5 } == [0, 0, 1, 0])
        }
        let single = transform(Batch(images: Tensor.normal([1, 1, 4, 4], using: &random), labels: [2]), random: &random)
        #expect(single.softTargets!.scalars.map { ($0 * 1e5).rounded() / 1e5 } == [0, 0, 1, 0])
    }

    /// The draws: `cutmix_prob` is how often a batch is mixed at all; with both α on, cutmix and
    /// mixup are even chances; with one on, only that one; λ ~ Beta(α, α) has mean 1/2. The same
    /// generator state gives the same batch.
    @Test func drawsFollowTheProbabilities() {
        var random = RandomGenerator(seed: 14)
        let n = 20_000
        func draws(_ transform: MixupCutmix) -> [BatchMix] {
            (0..<n).map { _ in transform.draw(height: 16, width: 16, random: &random) }
        }
        let both = draws(MixupCutmix(mixupAlpha: 0.8, cutmixAlpha: 1.0, probability: 0.6, classes: 3))
        let unmixed = both.filter { $0 == .unmixed }.count
        let cutmix = both.filter { if case .cutmix = $0 { true } else { false } }.count
        #expect(abs(Double(n - unmixed) / Double(n) - 0.6) < 0.02, "\(n - unmixed) of \(n) mixed")
        #expect(abs(Double(cutmix) / Double(n - unmixed) - 0.5) < 0.02, "\(cutmix) cutmix of \(n - unmixed)")
        let mixupOnly = draws(MixupCutmix(mixupAlpha: 0.8, cutmixAlpha: 0, classes: 3))
        #expect(mixupOnly.allSatisfy { if case .mixup = $0 { true } else { false } })
        let meanLambda = mixupOnly.map(\.lambda).reduce(0, +) / Double(n)
        #expect(abs(meanLambda - 0.5) < 0.01)
        let cutmixOnly = draws(MixupCutmix(mixupAlpha: 0, cutmixAlpha: 1.0, classes: 3))
        #expect(cutmixOnly.allSatisfy { if case .cutmix = $0 { true } else { false } })
        #expect(draws(MixupCutmix(mixupAlpha: 0.8, cutmixAlpha: 1, probability: 0, classes: 3)).allSatisfy { $0 == .unmixed })

        let transform = MixupCutmix(mixupAlpha: 0.8, cutmixAlpha: 1.0, classes: 3)
        let batch = Batch(images: Tensor.normal([4, 3, 8, 8], using: &random), labels: [0, 1, 2, 0])
        var first = RandomGenerator(seed: 99), second = RandomGenerator(seed: 99)
        let a = transform(batch, random: &first), b = transform(batch, random: &second)
        #expect(a.images.scalars == b.images.scalars && a.softTargets!.scalars == b.softTargets!.scalars)
    }
}

/// Checks `actual` against `expected` element-wise within `tolerance`.
func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Float, _ context: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(context): \(actual.count) vs \(expected.count) values", sourceLocation: sourceLocation)
    for (index, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= tolerance) {
        Issue.record("\(context)[\(index)]: \(a) vs expected \(e)", sourceLocation: sourceLocation)
        return
    }
}
