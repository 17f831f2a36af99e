import Foundation
import Testing
@testable import Datasets

/// The golden outputs of `tools/make_augment_golden.py` (Fixtures/augment/): the fixture images,
/// one PNG sheet of outputs per image (one case per band of rows) and `golden.json`.
enum AugmentGolden {
    /// One image case: which fixture, which band of its sheet, and the op in one of four forms
    /// (a Pillow op, a timm op at a level, a torchvision TrivialAugmentWide op, an AugMix mix).
    struct Case: Decodable, Sendable, CustomStringConvertible {
        let image: String
        let row: Int
        let op: String?
        let bits: Int?, threshold: Double?, add: Int?, factor: Double?, radius: Double?
        let degrees: Double?, pixels: Double?, matrix: [Double]?, interpolation: String?, fill: [UInt8]?
        let timm: String?, magnitude: Double?, translatePercent: Double?
        let trivial: String?, bin: Int?, negate: Bool?
        let augmix: String?, chainOp: String?, weights: [Double]?, m: Double?

        var description: String {
            let name = op ?? timm.map { "timm \($0) m\(magnitude ?? 0)" } ?? trivial.map { "TA \($0) bin \(bin ?? 0)" }
                ?? "augmix \(augmix ?? "")"
            let args = [bits.map { "bits \($0)" }, threshold.map { "threshold \($0)" }, factor.map { "factor \($0)" },
                        degrees.map { "\($0)°" }, pixels.map { "\($0) px" }, radius.map { "radius \($0)" },
                        interpolation].compactMap { $0 }
            return "\(image): \(name) \(args.joined(separator: " "))"
        }

        var resampling: Resampling { Resampling(rawValue: interpolation ?? "bilinear")! }
    }

    struct Level: Decodable, Sendable {
        let kind: String
        let magnitude: Double
        let args: [Double]
    }

    struct Policy: Decodable, Sendable {
        let kind: String
        let layers: Int?
        let ops: [Op]?
        let subPolicies: [[Op]]?
        let weights: [Double]?
        let magnitudeStd: Double?
        let magnitudeMax: Double?
        let translatePercent: Double
        let alpha: Double?, width: Int?, depth: Int?, blended: Bool?
    }

    /// timm's `[name, probability, magnitude]`.
    struct Op: Decodable, Equatable, Sendable {
        let name: String, probability: Double, magnitude: Double

        init(from decoder: any Decoder) throws {
            var list = try decoder.unkeyedContainer()
            name = try list.decode(String.self)
            probability = try list.decode(Double.self)
            magnitude = try list.decode(Double.self)
        }
    }

    struct Erasing: Decodable, Sendable {
        let height: Int, width: Int
        let probability: Double
        let draws: [Double]
        let box: [Int]?
    }

    struct File: Decodable, Sendable {
        let versions: [String: String]
        let cases: [Case]
        let levels: [Level]
        let trivialBins: [String: [Double]]
        let policies: [String: Policy]
        let erasing: [Erasing]
    }

    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/augment")!
    }

    static let file: File = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity",
                                                                        negativeInfinity: "-Infinity", nan: "NaN")
        return try! decoder.decode(File.self, from: Data(contentsOf: url("golden.json")))
    }()

    static func channels(_ image: String) -> Int { image == "b" ? 1 : 3 }

    static let images: [String: DecodedImage] = Dictionary(uniqueKeysWithValues: ["a", "b", "c"].map {
        ($0, try! ImageDecoder.decode(url("\($0).png").path, channels: channels($0)))
    })

    static let sheets: [String: DecodedImage] = Dictionary(uniqueKeysWithValues: ["a", "b", "c"].map {
        ($0, try! ImageDecoder.decode(url("\($0)_golden.png").path, channels: channels($0)))
    })

    /// The expected output of `item`: its band of its image's sheet.
    static func expected(_ item: Case) -> DecodedImage {
        let input = images[item.image]!
        let size = input.height * input.width * input.channels
        let band = Array(sheets[item.image]!.pixels[(item.row * size)..<((item.row + 1) * size)])
        return DecodedImage(height: input.height, width: input.width, channels: input.channels, pixels: band)
    }

    /// The largest difference between two images of one shape, and how many bytes differ.
    static func difference(_ a: DecodedImage, _ b: DecodedImage) -> (worst: Int, count: Int) {
        guard a.pixels.count == b.pixels.count else { return (.max, .max) }
        let gaps = zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }
        return (gaps.max() ?? 0, gaps.filter { $0 > 0 }.count)
    }
}
