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
        let plan = ResizePlan(region: region, box: box, width: width, height: height, part: part, filter: filter)
        precondition(plan.box.left >= 0 && plan.box.top >= 0 && plan.box.right <= Float(region.width)
                     && plan.box.bottom <= Float(region.height), "resized: box \(plan.box) is not inside \(region)")
        var pixels = [UInt8](repeating: 0, count: part.height * part.width * channels)
        self.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { out in
                plan.run(regionOrigin: source.baseAddress! + (region.top * self.width + region.left) * channels,
                         stride: self.width * channels, channels: channels, into: out.baseAddress!)
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

extension ResizePlan {
    /// Carries out the plan: `regionOrigin` points at the top-left pixel of ``region`` in an
    /// image of `channels`-byte pixels whose rows are `stride` bytes apart; writes the part of the
    /// output inside the resized image into `out` (`part.height × part.width × channels` bytes),
    /// leaving the bytes of `part` that reach past it as they were. Reads only the rows and
    /// columns of ``region`` the filter touches (``readRows``, ``readColumns``); the box may reach
    /// past the region, whose edges then clamp the filter.
    func run(regionOrigin origin: UnsafePointer<UInt8>, stride: Int, channels: Int, into out: UnsafeMutablePointer<UInt8>) {
        precondition(box.right > box.left && box.bottom > box.top, "resized: empty box \(box)")
        let inside = part.clipped(height: height, width: width)
        let outStride = part.width * channels
        let target = out + (inside.top - part.top) * outStride + (inside.left - part.left) * channels
        // Pillow's `_resize`: a whole-pixel box the size of the output is a plain crop.
        if box.left == box.left.rounded(.towardZero), box.top == box.top.rounded(.towardZero),
           box.right - box.left == Float(width), box.bottom - box.top == Float(height) {
            let bytes = inside.width * channels
            for y in 0..<inside.height {
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
