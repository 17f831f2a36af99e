import Foundation
import Testing
@testable import Datasets

/// The cases and images `tools/make_transform_golden.py` wrote with Pillow, torchvision and timm
/// (Fixtures/transforms/).
enum TransformFixtures {
    struct Cases: Decodable {
        struct Resize: Decodable { let source: String, filter: String, width: Int, height: Int, box: [Float]?, expected: String }
        struct ResizedCrop: Decodable { let filter: String, top: Int, left: Int, height: Int, width: Int, size: Int, expected: String }
        struct CropParameters: Decodable { let height: Int, width: Int, scale: [Double], ratio: [Double], uniforms: [Double], crop: [Int] }
        struct RandomCrop: Decodable {
            let size: Int, scale: [Double], ratio: [Double], interpolation: String, uniforms: [Double], expected: String
        }
        struct Evaluation: Decodable {
            let source: String, size: Int, interpolation: String, expected: String
            let cropPct: Double
            enum CodingKeys: String, CodingKey { case source, size, interpolation, expected, cropPct = "crop_pct" }
        }
        struct Normalize: Decodable {
            let source: String, mean: [Float], std: [Float], expected: String
            let horizontalFlip: Bool
            enum CodingKeys: String, CodingKey { case source, mean, std, expected, horizontalFlip = "horizontal_flip" }
        }
        struct JPEG: Decodable {
            struct Crop: Decodable { let top: Int, left: Int, height: Int, width: Int, size: Int, filter: String, expected: String }
            let file: String, height: Int, width: Int, crops: [Crop]
        }
        let resize: [Resize]
        let resizedCrop: [ResizedCrop]
        let rrcParams: [CropParameters]
        let rrc: [RandomCrop]
        let eval: [Evaluation]
        let normalize: [Normalize]
        let jpeg: JPEG
        enum CodingKeys: String, CodingKey {
            case resize, eval, normalize, jpeg, rrc
            case resizedCrop = "resized_crop", rrcParams = "rrc_params"
        }
    }

    static let cases: Cases = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: path("cases.json")))
        return try! JSONDecoder().decode(Cases.self, from: data)
    }()

    static func path(_ name: String) -> String {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/transforms")!.path
    }

    /// A fixture image: "photo" (64×48 RGB), "grey" (40×30), "photo_t" (the photo transposed), or
    /// a golden output file.
    static func image(_ name: String) throws -> DecodedImage {
        switch name {
        case "photo", "photo.png": return try ImageDecoder.decode(path("photo.png"), channels: 3)
        case "grey", "grey.png": return try ImageDecoder.decode(path("grey.png"), channels: 1)
        case "photo_t": return transposed(try image("photo"))
        default: return try ImageDecoder.decode(path(name), channels: name.contains("grey") || name == "eval_3.png" ? 1 : 3)
        }
    }

    static func transposed(_ image: DecodedImage) -> DecodedImage {
        var pixels = [UInt8](repeating: 0, count: image.pixels.count)
        let c = image.channels
        for y in 0..<image.height {
            for x in 0..<image.width {
                for k in 0..<c { pixels[(x * image.height + y) * c + k] = image.pixels[(y * image.width + x) * c + k] }
            }
        }
        return DecodedImage(height: image.width, width: image.height, channels: c, pixels: pixels)
    }

    /// Largest absolute difference between two images of one shape (`Int.max` if the shapes differ).
    static func worst(_ a: DecodedImage, _ b: DecodedImage) -> Int {
        guard a.height == b.height, a.width == b.width, a.channels == b.channels else { return .max }
        return zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
    }

    /// Mean absolute difference, on the 0–255 scale.
    static func mean(_ a: DecodedImage, _ b: DecodedImage) -> Double {
        Double(zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +)) / Double(max(a.pixels.count, 1))
    }
}

/// Uniform draws fed in order, as the generator fed them to timm.
struct FedUniforms {
    var values: [Double]
    var used = 0
    init(_ values: [Double]) { self.values = values }
    mutating func next() -> Double {
        defer { used += 1 }
        return values[used]
    }
}
