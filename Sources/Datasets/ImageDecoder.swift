import Foundation
import CDataLoading
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

/// JPEG (libjpeg-turbo, with the accurate IDCT and fancy upsampling Pillow uses) and PNG (libpng)
/// decoding to grey or RGB bytes, as Pillow's `convert("RGB")` / `convert("L")` give them to timm
/// and torchvision: alpha is dropped (not composited) and grey is ITU-R 601 luma of the RGB
/// pixels. Palette and 16-bit PNGs are expanded; CMYK JPEGs converted as Pillow does; a JPEG
/// without its end-of-image marker is truncated, as Pillow says. Errors name the file.
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
        switch Format(bytes) {
        case .jpeg: rgb = try decodeJPEG(bytes, path: path)
        case .png: rgb = try bytes.withUnsafeBufferPointer { try decodePNG($0, path: path) }
        case nil: throw DecodeError(path: path, problem: bytes.isEmpty ? "is empty" : "is neither JPEG nor PNG")
        }
        return channels == 1 ? luma(rgb) : rgb
    }

    /// The formats read, told apart by their first bytes (not by the file's extension).
    enum Format {
        case jpeg, png
        init?<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
            if bytes.starts(with: [0xFF, 0xD8]) { self = .jpeg } else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { self = .png } else { return nil }
        }
    }

    /// Grey from RGB with Pillow's fixed-point ITU-R 601 weights.
    static func luma(_ rgb: DecodedImage) -> DecodedImage {
        var grey = [UInt8](repeating: 0, count: rgb.height * rgb.width)
        rgb.pixels.withUnsafeBufferPointer { source in
            grey.withUnsafeMutableBufferPointer { luma(source.baseAddress!, into: $0.baseAddress!, count: $0.count) }
        }
        return DecodedImage(height: rgb.height, width: rgb.width, channels: 1, pixels: grey)
    }

    /// `count` RGB pixels to grey (Pillow's `convert("L")`).
    static func luma(_ rgb: UnsafePointer<UInt8>, into grey: UnsafeMutablePointer<UInt8>, count: Int) {
        for i in 0..<count {
            let r = UInt32(rgb[3 * i]), g = UInt32(rgb[3 * i + 1]), b = UInt32(rgb[3 * i + 2])
            grey[i] = UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
        }
    }

    /// The whole JPEG, full size, as RGB (through the region decoder, so every JPEG path decodes alike).
    static func decodeJPEG(_ bytes: [UInt8], path: String) throws -> DecodedImage {
        try bytes.withUnsafeBufferPointer { data in
            let (height, width) = try jpegSize(data, path: path)
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            _ = try pixels.withUnsafeMutableBufferPointer { out in
                try decodeJPEGRegion(data, path: path, scale: 8, rows: 0..<height, columns: 0..<width, into: out)
            }
            return DecodedImage(height: height, width: width, channels: 3, pixels: pixels)
        }
    }

    /// A JPEG's `(height, width)` from its header.
    static func jpegSize(_ data: UnsafeBufferPointer<UInt8>, path: String) throws -> (height: Int, width: Int) {
        var width: Int32 = 0, height: Int32 = 0
        var message = [CChar](repeating: 0, count: 200)
        guard runner_jpeg_size(data.baseAddress, data.count, &width, &height, &message, message.count) == 0 else {
            throw DecodeError(path: path, problem: "is not a readable JPEG: \(String(cString: message))")
        }
        return (Int(height), Int(width))
    }

    /// Decodes `rows` × `columns` of the JPEG scaled by `scale`/8 into `out` as RGB rows; returns the
    /// columns really decoded (libjpeg-turbo widens them to whole iMCUs), `out` holding
    /// `rows.count` rows of `3 · columns.count` bytes. `out` must hold `rows.count · (columns.count
    /// + 64) · 3` bytes (the widening is at most 32 pixels a side).
    static func decodeJPEGRegion(_ data: UnsafeBufferPointer<UInt8>, path: String, scale: Int, rows: Range<Int>,
                                 columns: Range<Int>, into out: UnsafeMutableBufferPointer<UInt8>) throws -> Range<Int> {
        var left: Int32 = 0, width: Int32 = 0
        var message = [CChar](repeating: 0, count: 200)
        let status = runner_jpeg_decode_region(data.baseAddress, data.count, Int32(scale), Int32(rows.lowerBound),
                                               Int32(columns.lowerBound), Int32(rows.count), Int32(columns.count),
                                               out.baseAddress, out.count, &left, &width, &message, message.count)
        switch status {
        case 0: return Int(left)..<Int(left + width)
        case -2: throw DecodeError(path: path, problem: "needs a larger decode buffer (\(width) columns)")
        default:
            let text = String(cString: message)
            throw DecodeError(path: path, problem: text.hasPrefix("is ") ? text : "is a damaged JPEG: \(text)")
        }
    }

    static func decodePNG(_ bytes: UnsafeBufferPointer<UInt8>, path: String) throws -> DecodedImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
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
