import Foundation
import CTurboJPEG
import CPNG

/// Writes 8-bit images as JPEG (libjpeg-turbo, 4:2:0) or PNG (libpng): test folders and
/// generated data, not part of training.
public enum ImageEncoder {
    public struct EncodeError: Error, CustomStringConvertible {
        public let path: String
        public let problem: String
        public var description: String { "\(path): \(problem)" }
    }

    /// The JPEG bytes of `image` (grey or RGB) at `quality` (1 … 100).
    public static func jpeg(_ image: DecodedImage, quality: Int = 90) throws -> Data {
        guard let handle = tjInitCompress() else { throw EncodeError(path: "", problem: "libjpeg-turbo failed to start") }
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let format = image.channels == 1 ? TJPF_GRAY : TJPF_RGB
        let subsampling = image.channels == 1 ? TJSAMP_GRAY : TJSAMP_420
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            tjCompress2(handle, pixels.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(format.rawValue),
                        &buffer, &size, Int32(subsampling.rawValue), Int32(quality), 0)
        }
        defer { tjFree(buffer) }
        guard status == 0, let buffer else {
            throw EncodeError(path: "", problem: "JPEG encoding failed: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return Data(bytes: buffer, count: Int(size))
    }

    /// The PNG bytes of `image` (grey or RGB).
    public static func png(_ image: DecodedImage) throws -> Data {
        var description = png_image()
        description.version = UInt32(PNG_IMAGE_VERSION)
        description.width = UInt32(image.width)
        description.height = UInt32(image.height)
        description.format = image.channels == 1 ? 0 : 2   // PNG_FORMAT_GRAY, PNG_FORMAT_RGB
        var size = 0
        let stride = Int32(image.width * image.channels)
        return try image.pixels.withUnsafeBufferPointer { pixels in
            guard png_image_write_to_memory(&description, nil, &size, 0, pixels.baseAddress, stride, nil) != 0 else {
                throw EncodeError(path: "", problem: "PNG encoding failed")
            }
            var data = Data(count: size)
            let ok = data.withUnsafeMutableBytes { out in
                png_image_write_to_memory(&description, out.baseAddress, &size, 0, pixels.baseAddress, stride, nil)
            }
            guard ok != 0 else { throw EncodeError(path: "", problem: "PNG encoding failed") }
            return data.prefix(size)
        }
    }
}
