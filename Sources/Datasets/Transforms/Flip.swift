/// Mirror images: torchvision's `hflip` / `vflip` (PIL's `FLIP_LEFT_RIGHT`, `FLIP_TOP_BOTTOM`).
/// In the pipeline they are not a pass of their own: ``PixelNormalization`` reads the resized
/// image mirrored while it writes the batch.
public struct ImageFlip: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let horizontal = ImageFlip(rawValue: 1)
    public static let vertical = ImageFlip(rawValue: 2)
}

extension DecodedImage {
    /// The image mirrored left–right and/or top–bottom.
    public func flipped(_ flip: ImageFlip) -> DecodedImage {
        guard !flip.isEmpty else { return self }
        var out = [UInt8](repeating: 0, count: pixels.count)
        let c = channels, rowBytes = width * c
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let from = source.baseAddress! + (flip.contains(.vertical) ? height - 1 - y : y) * rowBytes
                    let to = target.baseAddress! + y * rowBytes
                    guard flip.contains(.horizontal) else {
                        to.update(from: from, count: rowBytes)
                        continue
                    }
                    for x in 0..<width {
                        let mirrored = from + (width - 1 - x) * c
                        for k in 0..<c { to[x * c + k] = mirrored[k] }
                    }
                }
            }
        }
        return DecodedImage(height: height, width: width, channels: c, pixels: out)
    }
}
