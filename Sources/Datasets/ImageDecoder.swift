import Foundation
import CTurboJPEG
import CPNG

/// An 8-bit image in memory, `[H, W, C]` interleaved, C = 1 (grey) or 3 (RGB).
public struct DecodedImage: Sendable, Equatable {
    public let height: Int, width: Int, channels: Int
    public let pixels: [UInt8]

    /// An image of `height × width × channels` bytes (`pixels.count` must be their product).
    public init(height: Int, width: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == height * width * channels,
                     "DecodedImage: \(pixels.count) bytes for \(height)×\(width)×\(channels)")
        self.height = height
        self.width = width
        self.channels = channels
        self.pixels = pixels
    }
}

/// JPEG (libjpeg-turbo) and PNG (libpng) decoding to grey or RGB bytes, as Pillow's
/// `convert("RGB")` / `convert("L")` give them to timm and torchvision: alpha is dropped (not
/// composited) and grey is ITU-R 601 luma of the RGB pixels. Palette and 16-bit PNGs are expanded;
/// errors name the file.
public enum ImageDecoder {
    public struct DecodeError: Error, CustomStringConvertible {
        public let path: String
        public let problem: String
        public var description: String { "\(path): \(problem)" }
    }

    /// Decodes `path` to `channels` (1 or 3) channels.
    public static func decode(_ path: String, channels: Int) throws -> DecodedImage {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DecodeError(path: path, problem: "cannot be read (missing?)")
        }
        let bytes = [UInt8](data)
        let rgb: DecodedImage
        if bytes.starts(with: [0xFF, 0xD8]) {
            rgb = try decodeJPEG(bytes, path: path)
        } else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            rgb = try decodePNG(bytes, path: path)
        } else {
            throw DecodeError(path: path, problem: "is neither JPEG nor PNG")
        }
        return channels == 1 ? luma(rgb) : rgb
    }

    /// Grey from RGB with Pillow's fixed-point ITU-R 601 weights.
    static func luma(_ rgb: DecodedImage) -> DecodedImage {
        let count = rgb.height * rgb.width
        var grey = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            let r = UInt32(rgb.pixels[3 * i]), g = UInt32(rgb.pixels[3 * i + 1]), b = UInt32(rgb.pixels[3 * i + 2])
            grey[i] = UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
        }
        return DecodedImage(height: rgb.height, width: rgb.width, channels: 1, pixels: grey)
    }

    static func decodeJPEG(_ bytes: [UInt8], path: String) throws -> DecodedImage {
        let channels = 3
        guard let handle = tjInitDecompress() else { throw DecodeError(path: path, problem: "libjpeg-turbo failed to start") }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        var source = bytes
        guard tjDecompressHeader3(handle, &source, UInt(source.count), &width, &height, &subsampling, &colorspace) == 0 else {
            throw DecodeError(path: path, problem: "is not a readable JPEG: \(String(cString: tjGetErrorStr2(handle)))")
        }
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
        let format = TJPF_RGB
        guard tjDecompress2(handle, &source, UInt(source.count), &pixels, width, 0, height, Int32(format.rawValue), 0) == 0 else {
            throw DecodeError(path: path, problem: "is a damaged JPEG: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return DecodedImage(height: Int(height), width: Int(width), channels: channels, pixels: pixels)
    }

    static func decodePNG(_ bytes: [UInt8], path: String) throws -> DecodedImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard bytes.withUnsafeBytes({ png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }) != 0 else {
            throw DecodeError(path: path, problem: "is not a readable PNG: \(messageOf(&image))")
        }
        // RGBA (PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA): asking for RGB would composite alpha
        // onto black in linear light, which Pillow does not do.
        image.format = 3
        var rgba = [UInt8](repeating: 0, count: Int(image.width) * Int(image.height) * 4)
        let ok = rgba.withUnsafeMutableBytes { out in
            png_image_finish_read(&image, nil, out.baseAddress, Int32(Int(image.width) * 4), nil)
        }
        guard ok != 0 else {
            let message = messageOf(&image)
            png_image_free(&image)
            throw DecodeError(path: path, problem: "is a damaged PNG: \(message)")
        }
        var pixels = [UInt8](repeating: 0, count: Int(image.width) * Int(image.height) * 3)
        for i in 0..<(Int(image.width) * Int(image.height)) {
            pixels[3 * i] = rgba[4 * i]
            pixels[3 * i + 1] = rgba[4 * i + 1]
            pixels[3 * i + 2] = rgba[4 * i + 2]
        }
        return DecodedImage(height: Int(image.height), width: Int(image.width), channels: 3, pixels: pixels)
    }

    private static func messageOf(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
