import Foundation
import CTurboJPEG
import CPNG

/// An 8-bit image in memory, `[H, W, C]` interleaved, C = 1 (grey) or 3 (RGB).
public struct DecodedImage: Sendable {
    public let height: Int, width: Int, channels: Int
    public let pixels: [UInt8]
}

/// JPEG (libjpeg-turbo) and PNG (libpng) decoding to grey or RGB bytes. Palette, 16-bit and
/// alpha PNGs are converted; errors name the file.
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
        if bytes.starts(with: [0xFF, 0xD8]) { return try decodeJPEG(bytes, path: path, channels: channels) }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return try decodePNG(bytes, path: path, channels: channels) }
        throw DecodeError(path: path, problem: "is neither JPEG nor PNG")
    }

    static func decodeJPEG(_ bytes: [UInt8], path: String, channels: Int) throws -> DecodedImage {
        guard let handle = tjInitDecompress() else { throw DecodeError(path: path, problem: "libjpeg-turbo failed to start") }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        var source = bytes
        guard tjDecompressHeader3(handle, &source, UInt(source.count), &width, &height, &subsampling, &colorspace) == 0 else {
            throw DecodeError(path: path, problem: "is not a readable JPEG: \(String(cString: tjGetErrorStr2(handle)))")
        }
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
        let format = channels == 1 ? TJPF_GRAY : TJPF_RGB
        guard tjDecompress2(handle, &source, UInt(source.count), &pixels, width, 0, height, Int32(format.rawValue), 0) == 0 else {
            throw DecodeError(path: path, problem: "is a damaged JPEG: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return DecodedImage(height: Int(height), width: Int(width), channels: channels, pixels: pixels)
    }

    static func decodePNG(_ bytes: [UInt8], path: String, channels: Int) throws -> DecodedImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard bytes.withUnsafeBytes({ png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }) != 0 else {
            throw DecodeError(path: path, problem: "is not a readable PNG: \(messageOf(&image))")
        }
        image.format = channels == 1 ? 0 : 2  // PNG_FORMAT_GRAY, PNG_FORMAT_RGB (PNG_FORMAT_FLAG_COLOR)
        var pixels = [UInt8](repeating: 0, count: Int(image.width) * Int(image.height) * channels)
        let ok = pixels.withUnsafeMutableBytes { out in
            png_image_finish_read(&image, nil, out.baseAddress, Int32(Int(image.width) * channels), nil)
        }
        guard ok != 0 else {
            let message = messageOf(&image)
            png_image_free(&image)
            throw DecodeError(path: path, problem: "is a damaged PNG: \(message)")
        }
        return DecodedImage(height: Int(image.height), width: Int(image.width), channels: channels, pixels: pixels)
    }

    private static func messageOf(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
