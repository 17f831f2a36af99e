import Foundation
import Testing
import TensorEngine
@testable import Datasets

@Suite struct ColorJitterTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            let image: String
            let steps: [[Step]]
            let pixels: [UInt8]
        }
        /// `["brightness", 1.37]`: a name or a factor.
        enum Step: Decodable {
            case name(String), factor(Double)
            init(from decoder: Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let name = try? container.decode(String.self) { self = .name(name) } else { self = .factor(try container.decode(Double.self)) }
            }
        }
        let cases: [Case]
    }

    static func fixture(_ name: String) -> URL {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/augment")!
    }

    /// torchvision's adjust_brightness, _contrast, _saturation and _hue on PIL images, alone and in
    /// sequence, on RGB and grey fixtures (tools/make_jitter_golden.py): equal byte for byte.
    @Test func adjustmentsAreTorchvisionsOnPIL() throws {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Self.fixture("jitter.json")))
        #expect(golden.cases.count == 13)
        let kinds = ["brightness": 0, "contrast": 1, "saturation": 2, "hue": 3]
        for (index, testCase) in golden.cases.enumerated() {
            let image = try ImageDecoder.decode(Self.fixture("\(testCase.image).png").path, channels: testCase.image == "b" ? 1 : 3)
            let steps = testCase.steps.map { step -> (kind: Int, factor: Double) in
                guard case .name(let name) = step[0], case .factor(let factor) = step[1] else { fatalError("bad step") }
                return (kinds[name]!, factor)
            }
            let output = ColorJitterStrength.Draw(steps: steps).apply(to: image)
            let differing = zip(output.pixels, testCase.pixels).filter { $0 != $1 }.count
            #expect(output.pixels == testCase.pixels, "case \(index) \(testCase.image) \(steps): \(differing) bytes differ")
        }
    }

    @Test func noStrengthDrawsNothing() {
        var random = RandomGenerator(seed: 3)
        #expect(ColorJitterStrength.none.draw(using: &random) == nil)
        #expect(random.next() == RandomGenerator(seed: 3).nextCopy())
    }

    /// The factors fall in torchvision's ranges, every active adjustment appears once, and the
    /// orders vary from draw to draw.
    @Test func drawsAreTorchvisionsRangesInRandomOrders() {
        let strength = ColorJitterStrength(brightness: 0.4, contrast: 0.3, saturation: 1.5, hue: 0.1)
        var random = RandomGenerator(seed: 9)
        var orders = Set<[Int]>()
        for _ in 0..<200 {
            let draw = strength.draw(using: &random)!
            #expect(draw.steps.map(\.kind).sorted() == [0, 1, 2, 3])
            orders.insert(draw.steps.map(\.kind))
            for step in draw.steps {
                let range: ClosedRange<Double> = switch step.kind {
                case 0: 0.6...1.4
                case 1: 0.7...1.3
                case 2: 0...2.5
                default: -0.1...0.1
                }
                #expect(range.contains(step.factor), "\(step)")
            }
        }
        #expect(orders.count > 12, "\(orders.count) orders of 24")
        #expect(ColorJitterStrength(contrast: 0.2).draw(using: &random)!.steps.map(\.kind) == [1])
    }
}

extension RandomGenerator {
    /// The next value of a copy, leaving this generator as it is.
    func nextCopy() -> UInt64 {
        var copy = self
        return copy.next()
    }
}
