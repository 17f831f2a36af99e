import Foundation
import TensorEngine
import Datasets

/// Temporary folders of small generated images for the loader's tests.
struct TestFolder {
    let url: URL
    var path: String { url.path }

    init(_ label: String = "datasets") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }

    /// Writes `data` at `relative`, creating folders.
    @discardableResult
    func write(_ data: Data, at relative: String) throws -> String {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return file.path
    }

    func makeFolder(_ relative: String) throws {
        try FileManager.default.createDirectory(at: url.appendingPathComponent(relative), withIntermediateDirectories: true)
    }
}

enum TestImages {
    /// A seeded RGB (or grey) picture: smooth gradients, a bright disc whose place depends on
    /// `seed`, and noise, so crops and scales differ visibly.
    static func picture(height: Int, width: Int, channels: Int = 3, seed: UInt64) -> DecodedImage {
        var random = RandomGenerator(seed: seed)
        let cy = Double(random.nextIndex(below: height)), cx = Double(random.nextIndex(below: width))
        var pixels = [UInt8](repeating: 0, count: height * width * channels)
        for y in 0..<height {
            for x in 0..<width {
                let inDisc = (Double(y) - cy) * (Double(y) - cy) + (Double(x) - cx) * (Double(x) - cx) < Double(min(height, width) * min(height, width)) / 16
                for c in 0..<channels {
                    let base = (x * 255 / max(1, width - 1) + y * 97 / max(1, height - 1) + c * 70) % 256
                    let value = inDisc ? 240 : base
                    pixels[(y * width + x) * channels + c] = UInt8(clamping: value + Int(random.next() % 9) - 4)
                }
            }
        }
        return DecodedImage(height: height, width: width, channels: channels, pixels: pixels)
    }

    static func jpeg(height: Int, width: Int, seed: UInt64, quality: Int = 90) throws -> Data {
        try ImageEncoder.jpeg(picture(height: height, width: width, seed: seed), quality: quality)
    }

    static func png(height: Int, width: Int, seed: UInt64) throws -> Data {
        try ImageEncoder.png(picture(height: height, width: width, seed: seed))
    }

    /// An image folder `train/<class>/…` of `perClass` JPEGs (every third a PNG) per class, sizes
    /// varying around `height × width`; returns the split's path.
    static func folder(in folder: TestFolder, classes: [String], perClass: Int, height: Int = 40, width: Int = 52,
                       split: String = "train") throws -> String {
        var seed: UInt64 = 1
        for name in classes {
            for i in 0..<perClass {
                seed += 1
                let h = height + Int(seed % 7), w = width - Int(seed % 5)
                if i % 3 == 2 {
                    try folder.write(try png(height: h, width: w, seed: seed), at: "\(split)/\(name)/img\(i).png")
                } else {
                    try folder.write(try jpeg(height: h, width: w, seed: seed), at: "\(split)/\(name)/img\(i).JPEG")
                }
            }
        }
        return folder.path + "/" + split
    }
}
