extension DecodedImage {
    /// PIL's `image.crop(region).resize((width, height), filter, box=box)` in one pass, with
    /// Pillow's arithmetic (``PillowResample``, ``NearestResample``): torchvision's `resize` and
    /// `resized_crop` on PIL images (`reducing_gap` None, as they call it), bit for bit.
    ///
    /// - Parameters:
    ///   - width, height: the output size.
    ///   - region: the source pixels the filter may read (default: the whole image). Filters clamp
    ///     at its edges, as they do at the edges of the crop torchvision's `resized_crop` makes
    ///     first; where it reaches past the image it reads zeros, as PIL's `crop` pads.
    ///   - box: PIL's `box`, in `region`'s coordinates (default: all of `region`); within it.
    ///   - part: the rectangle of the output to compute (default: all of it); the result is
    ///     `part.height × part.width`, zeros where `part` reaches past the output — a centre crop
    ///     of the resized image without resizing the rest.
    /// - Returns: `[part.height, part.width, channels]` bytes.
    public func resized(width: Int, height: Int, filter: ResampleFilter, region: PixelRegion? = nil,
                        box: SourceBox? = nil, part: PixelRegion? = nil) -> DecodedImage {
        let region = region ?? PixelRegion(height: self.height, width: self.width)
        let part = part ?? PixelRegion(height: height, width: width)
        precondition(width > 0 && height > 0 && region.width > 0 && region.height > 0, "resized: empty image \(region) → \(height)×\(width)")
        if region.clipped(height: self.height, width: self.width) != region {
            return cropped(region).resized(width: width, height: height, filter: filter, box: box, part: part)
        }
        let box = box ?? SourceBox(height: region.height, width: region.width)
        precondition(box.left >= 0 && box.top >= 0 && box.right <= Float(region.width) && box.bottom <= Float(region.height)
                     && box.right > box.left && box.bottom > box.top, "resized: box \(box) is not inside \(region)")
        let inside = part.clipped(height: height, width: width)
        var pixels = [UInt8](repeating: 0, count: part.height * part.width * channels)
        let stride = self.width * channels, outStride = part.width * channels
        let offset = (inside.top - part.top) * outStride + (inside.left - part.left) * channels
        self.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { out in
                let origin = source.baseAddress! + region.top * stride + region.left * channels
                let target = out.baseAddress! + offset
                // Pillow's `_resize`: a whole-pixel box the size of the output is a plain crop.
                if box.left == box.left.rounded(.towardZero), box.top == box.top.rounded(.towardZero),
                   box.right - box.left == Float(width), box.bottom - box.top == Float(height) {
                    let rows = inside.height, bytes = inside.width * channels
                    for y in 0..<rows {
                        (target + y * outStride).update(
                            from: origin + (Int(box.top) + inside.top + y) * stride + (Int(box.left) + inside.left) * channels,
                            count: bytes)
                    }
                } else if filter == .nearest {
                    NearestResample.run(source: origin, stride: stride, height: region.height, width: region.width,
                                        channels: channels, box: box, outHeight: height, outWidth: width, part: inside,
                                        into: target, outStride: outStride)
                } else {
                    PillowResample.run(source: origin, stride: stride, height: region.height, width: region.width,
                                       channels: channels, box: box, outHeight: height, outWidth: width, part: inside,
                                       filter: filter, into: target, outStride: outStride)
                }
            }
        }
        return DecodedImage(height: part.height, width: part.width, channels: channels, pixels: pixels)
    }

    /// PIL's `crop(region)`: the pixels of `region`, zeros where it reaches past the image.
    public func cropped(_ region: PixelRegion) -> DecodedImage {
        var pixels = [UInt8](repeating: 0, count: region.height * region.width * channels)
        let inside = region.clipped(height: height, width: width)
        let bytes = inside.width * channels
        if bytes > 0 {
            self.pixels.withUnsafeBufferPointer { source in
                pixels.withUnsafeMutableBufferPointer { out in
                    for y in inside.top..<inside.bottom {
                        let from = source.baseAddress! + (y * width + inside.left) * channels
                        let to = out.baseAddress! + ((y - region.top) * region.width + inside.left - region.left) * channels
                        to.update(from: from, count: bytes)
                    }
                }
            }
        }
        return DecodedImage(height: region.height, width: region.width, channels: channels, pixels: pixels)
    }
}
