/// Pillow's `ImageEnhance` on 8-bit images: each enhancement blends the image with a "degenerate"
/// version of itself, `Image.blend(degenerate, image, factor)` — factor 0 gives the degenerate
/// image, 1 the original, above 1 extrapolates away from the degenerate one. Exact: the blend is
/// Pillow's single-precision arithmetic, truncated to a byte.
enum EnhanceOps {
    /// `Image.blend(first, second, alpha)`: first + alpha · (second − first) in single precision,
    /// truncated; outside [0, 1] the result is clipped to 0–255 first. Alpha 0 returns `first`, 1
    /// returns `second`.
    static func blend(_ first: DecodedImage, _ second: DecodedImage, alpha: Double) -> DecodedImage {
        let a = Float(alpha)
        if a == 0 { return first }
        if a == 1 { return second }
        precondition(first.pixels.count == second.pixels.count, "blend: images of different sizes")
        var out = [UInt8](repeating: 0, count: first.pixels.count)
        let interpolates = a >= 0 && a <= 1
        first.pixels.withUnsafeBufferPointer { p in
            second.pixels.withUnsafeBufferPointer { q in
                for i in 0..<out.count {
                    let x = Float(Int(p[i])), y = Float(Int(q[i]))
                    let value = x + a * (y - x)
                    if interpolates {
                        out[i] = UInt8(value)
                    } else {
                        out[i] = clippedByte(value)
                    }
                }
            }
        }
        return DecodedImage(height: first.height, width: first.width, channels: first.channels, pixels: out)
    }

    /// A value clipped to 0–255 and truncated (Pillow's `CLIP8` on floats).
    static func clippedByte(_ value: Float) -> UInt8 {
        if value <= 0 { return 0 }
        if value >= 255 { return 255 }
        return UInt8(value)
    }

    /// ITU-R 601-2 luma as Pillow's `convert("L")` computes it in fixed point.
    static func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let red: UInt32 = UInt32(r) * 19595, green: UInt32 = UInt32(g) * 38470, blue: UInt32 = UInt32(b) * 7471
        let sum: UInt32 = red + green + blue + 0x8000
        return UInt8(sum >> 16)
    }

    /// The grey version of an RGB image, repeated into three channels (`convert("L").convert("RGB")`);
    /// a one-channel image is its own grey version.
    static func grey(_ image: DecodedImage) -> DecodedImage {
        guard image.channels == 3 else { return image }
        var out = image.pixels
        for i in stride(from: 0, to: out.count, by: 3) {
            let l = luma(out[i], out[i + 1], out[i + 2])
            out[i] = l
            out[i + 1] = l
            out[i + 2] = l
        }
        return DecodedImage(height: image.height, width: image.width, channels: 3, pixels: out)
    }

    /// `ImageEnhance.Color`: blends with the grey image (0 = grey, 1 = unchanged). On a one-channel
    /// image the grey image is the image, and nothing changes.
    static func color(_ image: DecodedImage, factor: Double) -> DecodedImage {
        guard image.channels == 3 else { return image }
        return blend(grey(image), image, alpha: factor)
    }

    /// `ImageEnhance.Contrast`: blends with a flat image at the mean grey level, rounded
    /// (`int(mean + 0.5)` of the luma histogram).
    static func contrast(_ image: DecodedImage, factor: Double) -> DecodedImage {
        let greyValues: [UInt8]
        if image.channels == 3 {
            greyValues = stride(from: 0, to: image.pixels.count, by: 3).map {
                luma(image.pixels[$0], image.pixels[$0 + 1], image.pixels[$0 + 2])
            }
        } else {
            greyValues = image.pixels
        }
        var histogram = [Int](repeating: 0, count: 256)
        for value in greyValues { histogram[Int(value)] += 1 }
        var sum = 0.0
        for (value, count) in histogram.enumerated() { sum += Double(value) * Double(count) }
        let mean = UInt8(Int(sum / Double(greyValues.count) + 0.5))
        let flat = DecodedImage(height: image.height, width: image.width, channels: image.channels,
                                pixels: [UInt8](repeating: mean, count: image.pixels.count))
        return blend(flat, image, alpha: factor)
    }

    /// `ImageEnhance.Brightness`: blends with black.
    static func brightness(_ image: DecodedImage, factor: Double) -> DecodedImage {
        let black = DecodedImage(height: image.height, width: image.width, channels: image.channels,
                                 pixels: [UInt8](repeating: 0, count: image.pixels.count))
        return blend(black, image, alpha: factor)
    }

    /// `ImageEnhance.Sharpness`: blends with ``smooth(_:)`` (0 = smoothed, 2 = sharpened).
    static func sharpness(_ image: DecodedImage, factor: Double) -> DecodedImage {
        blend(smooth(image), image, alpha: factor)
    }

    /// `ImageFilter.SMOOTH`: the 3 × 3 kernel (1 1 1 / 1 5 1 / 1 1 1) ÷ 13 on every pixel but the
    /// border ones, which keep their values; Pillow's single-precision sum, rounded by adding 0.5
    /// and truncating. Images narrower or shorter than 3 pixels are returned as they are.
    static func smooth(_ image: DecodedImage) -> DecodedImage {
        let (h, w, c) = (image.height, image.width, image.channels)
        guard h >= 3, w >= 3 else { return image }
        let side = Float(1) / Float(13), centre = Float(5) / Float(13)
        var out = image.pixels
        image.pixels.withUnsafeBufferPointer { p in
            func row(_ y: Int, _ x: Int, _ channel: Int, middle: Float) -> Float {
                let base = (y * w + x) * c + channel
                // Pillow's KERNEL1x3: ((left · k0 + centre · k1) + right · k2)
                let left: Float = Float(p[base - c]) * side, centre: Float = Float(p[base]) * middle
                let right: Float = Float(p[base + c]) * side
                return left + centre + right
            }
            for y in 1..<(h - 1) {
                for x in 1..<(w - 1) {
                    for channel in 0..<c {
                        var sum: Float = 0.5
                        sum += row(y + 1, x, channel, middle: side)
                        sum += row(y, x, channel, middle: centre)
                        sum += row(y - 1, x, channel, middle: side)
                        out[(y * w + x) * c + channel] = clippedByte(sum)
                    }
                }
            }
        }
        return DecodedImage(height: h, width: w, channels: c, pixels: out)
    }
}
