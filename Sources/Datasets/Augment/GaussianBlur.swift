import Foundation

/// Pillow's `ImageFilter.GaussianBlur(radius)` on 8-bit images: three passes of an extended box
/// blur along rows, then three along columns (Gwosdek et al.'s approximation of a Gaussian of
/// standard deviation `radius`), in Pillow's 8.24 fixed-point arithmetic with edge pixels
/// repeated, so results are exact. timm's `GaussianBlur` / `GaussianBlurRand` ops (DeiT III's
/// "3-Augment") use it.
enum GaussianBlur {
    static let passes = 3

    static func blur(_ image: DecodedImage, radius: Double) -> DecodedImage {
        let r = Float(radius)
        guard r != 0 else { return image }
        let box = boxRadius(r)
        guard box != 0 else { return image }
        let (h, w, c) = (image.height, image.width, image.channels)
        var rows = image.pixels
        for _ in 0..<passes { rows = blurRows(rows, height: h, width: w, channels: c, radius: box) }
        var columns = transpose(rows, height: h, width: w, channels: c)
        for _ in 0..<passes { columns = blurRows(columns, height: w, width: h, channels: c, radius: box) }
        return DecodedImage(height: h, width: w, channels: c, pixels: transpose(columns, height: w, width: h, channels: c))
    }

    /// `_gaussian_blur_radius`: the extended box radius l + α whose `passes` repetitions have the
    /// Gaussian's variance (single precision except for the square root, as Pillow computes it).
    static func boxRadius(_ radius: Float) -> Float {
        let sigma2 = radius * radius / Float(passes)
        let length = Float((12.0 * Double(sigma2) + 1.0).squareRoot())
        let l = Float(floor((Double(length) - 1.0) / 2.0))
        var a = (2 * l + 1) * (l * (l + 1) - 3 * sigma2)
        a /= 6 * (sigma2 - (l + 1) * (l + 1))
        return l + a
    }

    static func transpose(_ pixels: [UInt8], height: Int, width: Int, channels: Int) -> [UInt8] {
        var out = pixels
        for y in 0..<height {
            for x in 0..<width {
                for channel in 0..<channels { out[(x * height + y) * channels + channel] = pixels[(y * width + x) * channels + channel] }
            }
        }
        return out
    }

    /// One pass of `ImagingHorizontalBoxBlur` over every row: a running sum over 2·⌊r⌋ + 1 pixels
    /// weighted `ww`, plus the two pixels just outside it weighted `fw` for the fraction of r, in
    /// units of 2⁻²⁴, rounded half up; pixels past either end repeat the end pixel.
    static func blurRows(_ pixels: [UInt8], height: Int, width: Int, channels: Int, radius floatRadius: Float) -> [UInt8] {
        let radius = Int(floatRadius)
        let ww = UInt32(Float(1 << 24) / (floatRadius * 2 + 1))
        let fw = (UInt32(1 << 24) &- UInt32(radius * 2 + 1) &* ww) / 2
        let edgeA = min(radius + 1, width), edgeB = max(width - radius - 1, 0)
        let last = width - 1
        var out = pixels
        for y in 0..<height {
            for channel in 0..<channels {
                func at(_ x: Int) -> UInt32 { UInt32(pixels[(y * width + x) * channels + channel]) }
                func save(_ x: Int, _ bulk: UInt32) {
                    let rounded: UInt32 = (bulk &+ (1 << 23)) >> 24
                    out[(y * width + x) * channels + channel] = UInt8(truncatingIfNeeded: rounded)
                }
                var acc = at(0) &* UInt32(radius + 1)
                if edgeA > 1 { for x in 0..<(edgeA - 1) { acc &+= at(x) } }
                acc &+= at(last) &* UInt32(radius - edgeA + 1)
                // MOVE_ACC then ADD_FAR then SAVE, over Pillow's three spans.
                func step(_ x: Int, subtract: Int, add: Int, farLeft: Int, farRight: Int) {
                    acc = acc &+ at(add) &- at(subtract)
                    let far: UInt32 = (at(farLeft) &+ at(farRight)) &* fw
                    save(x, acc &* ww &+ far)
                }
                if edgeA <= edgeB {
                    for x in 0..<edgeA { step(x, subtract: 0, add: x + radius, farLeft: 0, farRight: x + radius + 1) }
                    for x in edgeA..<edgeB {
                        step(x, subtract: x - radius - 1, add: x + radius, farLeft: x - radius - 1, farRight: x + radius + 1)
                    }
                    for x in edgeB...last { step(x, subtract: x - radius - 1, add: last, farLeft: x - radius - 1, farRight: last) }
                } else {
                    for x in 0..<edgeB { step(x, subtract: 0, add: x + radius, farLeft: 0, farRight: x + radius + 1) }
                    for x in edgeB..<edgeA { step(x, subtract: 0, add: last, farLeft: 0, farRight: last) }
                    if edgeA <= last {
                        for x in edgeA...last { step(x, subtract: x - radius - 1, add: last, farLeft: x - radius - 1, farRight: last) }
                    }
                }
            }
        }
        return out
    }
}
