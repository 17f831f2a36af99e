import Foundation
import Testing
@testable import Datasets

/// PNG and JPEG decoding against the pixels Pillow reads from the same files
/// (`tools/make_image_fixtures.py`).
@Suite struct ImageDecoderTests {
    struct Expected: Decodable {
        let height: Int, width: Int
        let rgb: [Int]
        let gray: [Int]?
    }

    static let expected: [String: Expected] = {
        let url = Bundle.module.url(forResource: "images", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode([String: Expected].self, from: Data(contentsOf: url))
    }()

    static func path(_ name: String) -> String {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!.path
    }

    /// Largest per-pixel difference.
    static func worst(_ a: [UInt8], _ b: [Int]) -> Int {
        zip(a, b).map { abs(Int($0) - $1) }.max() ?? .max
    }

    @Test(arguments: [("rgb.png", 0), ("palette.png", 0), ("rgb.jpg", 2), ("alpha.png", 0)])
    func rgbMatchesPillow(_ name: String, _ tolerance: Int) throws {
        let image = try ImageDecoder.decode(Self.path(name), channels: 3)
        let expected = try #require(Self.expected[name])
        #expect(image.height == expected.height && image.width == expected.width && image.channels == 3)
        #expect(image.pixels.count == expected.rgb.count)
        #expect(Self.worst(image.pixels, expected.rgb) <= tolerance, "\(name)")
    }

    @Test func greyFromColourAndSixteenBit() throws {
        let grey = try ImageDecoder.decode(Self.path("rgb.png"), channels: 1)
        #expect(grey.pixels.count == 12 * 16)
        #expect(Self.worst(grey.pixels, try #require(Self.expected["rgb.png"]?.gray)) == 0)
        let deep = try ImageDecoder.decode(Self.path("gray16.png"), channels: 1)
        #expect(deep.height == 12 && deep.width == 16)
        #expect(deep.pixels.first == 0)
    }

    @Test func badFilesAreNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("decode-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("notes.jpg")
        try Data("hello".utf8).write(to: text)
        let error = #expect(throws: ImageDecoder.DecodeError.self) { try ImageDecoder.decode(text.path, channels: 3) }
        #expect(error?.description.contains("notes.jpg: is neither JPEG nor PNG") == true)
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: Self.path("rgb.jpg")))
        let truncated = folder.appendingPathComponent("cut.jpg")
        try jpeg.prefix(40).write(to: truncated)
        #expect(throws: ImageDecoder.DecodeError.self) { try ImageDecoder.decode(truncated.path, channels: 3) }
        #expect(throws: ImageDecoder.DecodeError.self) { try ImageDecoder.decode(folder.appendingPathComponent("none.png").path, channels: 3) }
    }
}
