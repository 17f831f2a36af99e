import Testing
import TensorEngine
@testable import Datasets

/// Random erasing against timm's `RandomErasing` for scripted draws, and its fills.
@Suite struct RandomErasingTests {
    /// timm's box for the same U(0, 1) draws (its `random.random`, `uniform` and `randint`
    /// replaced by a script): same probability test, area, aspect, rounding and placement.
    @Test(arguments: AugmentGolden.file.erasing.indices)
    func boxesMatchTimm(_ index: Int) {
        let item = AugmentGolden.file.erasing[index]
        let erasing = RandomErasing(probability: item.probability, scale: 0.02...(1.0 / 3), ratio: 0.3...(1 / 0.3))
        var planes = [Float](repeating: 7, count: 3 * item.height * item.width)
        var draws = item.draws.makeIterator()
        let boxes = erasing.apply(to: &planes, channels: 3, height: item.height, width: item.width,
                                  uniform: { draws.next()! }, normal: { 0 })
        let expected = item.box.map { RandomErasing.Box(top: $0[0], left: $0[1], height: $0[2], width: $0[3]) }
        #expect(boxes == (expected.map { [$0] } ?? []), "case \(index)")
        #expect(planes.filter { $0 == 0 }.count == 3 * (expected.map { $0.height * $0.width } ?? 0))
    }

    /// MindCV's `re_value` forms: a number everywhere, one value per channel, or fresh normal
    /// values per pixel; timm's `rand` gives each channel one normal value.
    @Test func fills() {
        let (h, w) = (20, 30)
        func erase(_ fill: RandomErasing.Fill, seed: UInt64 = 5) -> ([Float], RandomErasing.Box) {
            var planes = [Float](repeating: 9, count: 3 * h * w)
            var random = RandomGenerator(seed: seed)
            let boxes = RandomErasing(probability: 1, scale: 0.2...0.3, fill: fill)
                .apply(to: &planes, channels: 3, height: h, width: w, random: &random)
            return (planes, boxes[0])
        }
        func inside(_ planes: [Float], _ box: RandomErasing.Box, _ channel: Int) -> [Float] {
            (box.top..<(box.top + box.height)).flatMap { y in
                (box.left..<(box.left + box.width)).map { planes[(channel * h + y) * w + $0] }
            }
        }
        let (constant, box) = erase(.constant([-1.5]))
        #expect((0..<3).allSatisfy { inside(constant, box, $0).allSatisfy { $0 == -1.5 } })
        #expect(constant.filter { $0 == 9 }.count == 3 * (h * w - box.height * box.width))
        let (perChannel, box2) = erase(.constant([1, 2, 3]))
        #expect((0..<3).allSatisfy { c in inside(perChannel, box2, c).allSatisfy { $0 == Float(c + 1) } })
        let (channelNormal, box3) = erase(.perChannelNormal)
        #expect((0..<3).allSatisfy { Set(inside(channelNormal, box3, $0)).count == 1 })
        let (pixels, box4) = erase(.perPixelNormal)
        let values = (0..<3).flatMap { inside(pixels, box4, $0) }
        let mean = values.reduce(0, +) / Float(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)
        #expect(values.count > 100 && Set(values).count == values.count)
        #expect(abs(mean) < 0.25 && abs(variance - 1) < 0.3, "mean \(mean), variance \(variance)")
    }

    /// Over many images: erased with the stated probability, areas within the scale, the box
    /// always strictly inside, and `maxAttempts` 0 never erases.
    @Test func statistics() {
        let (h, w) = (24, 32)
        let erasing = RandomErasing(probability: 0.25, scale: 0.02...0.33, ratio: 0.3...3.3)
        var random = RandomGenerator(seed: 11)
        var erased = 0
        var planes = [Float](repeating: 0, count: h * w)
        for _ in 0..<4000 {
            let boxes = erasing.apply(to: &planes, channels: 1, height: h, width: w, random: &random)
            erased += boxes.count
            for box in boxes {
                #expect(box.height < h && box.width < w && box.top + box.height <= h && box.left + box.width <= w)
                let fraction = Double(box.height * box.width) / Double(h * w)
                #expect(fraction < 0.45, "\(box)")
            }
        }
        #expect(abs(Double(erased) / 4000 - 0.25) < 0.03)
        var none = RandomErasing(probability: 1)
        none.maxAttempts = 0
        #expect(none.apply(to: &planes, channels: 1, height: h, width: w, random: &random).isEmpty)
        let several = RandomErasing(probability: 1, count: 2...3)
        let boxes = several.apply(to: &planes, channels: 1, height: h, width: w, random: &random)
        #expect((2...3).contains(boxes.count))
    }
}
