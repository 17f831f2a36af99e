import Foundation

/// torchvision's `adjust_hue` on a PIL image: Pillow's RGB → HSV conversion (`rgb2hsv_row`, 8-bit
/// hue, saturation and value), the hue byte advanced by `Int32(factor · 255)` with wrap-around,
/// and Pillow's HSV → RGB (`hsv2rgb`), with Pillow's float and double arithmetic so the bytes
/// match. One-channel images are returned as they are, as torchvision returns them.
enum HueShift {
    /// `image` (`[H, W, C]` bytes) with its hue turned by `factor` of a turn, −0.5 … 0.5.
    static func apply(_ image: DecodedImage, factor: Double) -> DecodedImage {
        guard image.channels == 3 else { return image }
        let shift = UInt8(truncatingIfNeeded: Int32(factor * 255))
        var out = image.pixels
        out.withUnsafeMutableBufferPointer { pixels in
            for i in stride(from: 0, to: pixels.count, by: 3) {
                var (h, s, v) = toHSV(pixels[i], pixels[i + 1], pixels[i + 2])
                h &+= shift
                (pixels[i], pixels[i + 1], pixels[i + 2]) = toRGB(h, s, v)
            }
        }
        return DecodedImage(height: image.height, width: image.width, channels: 3, pixels: out)
    }

    /// Pillow's `rgb2hsv_row`.
    static func toHSV(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> (UInt8, UInt8, UInt8) {
        let maxc = max(r, g, b), minc = min(r, g, b)
        guard minc != maxc else { return (0, 0, maxc) }
        let cr = Float(maxc - minc)
        let s = cr / Float(maxc)
        let rc = Float(maxc - r) / cr, gc = Float(maxc - g) / cr, bc = Float(maxc - b) / cr
        var h: Float
        if r == maxc {
            h = bc - gc
        } else if g == maxc {
            h = Float(2.0 + Double(rc) - Double(bc))
        } else {
            h = Float(4.0 + Double(gc) - Double(rc))
        }
        h = Float(fmod(Double(h) / 6.0 + 1.0, 1.0))
        return (clip8(Int(Double(h) * 255.0)), clip8(Int(Double(s) * 255.0)), maxc)
    }

    /// Pillow's `hsv2rgb`.
    static func toRGB(_ h: UInt8, _ s: UInt8, _ v: UInt8) -> (UInt8, UInt8, UInt8) {
        guard s != 0 else { return (v, v, v) }
        let i = Int(floor(Double(Float(h)) * 6.0 / 255.0))
        let f = Float(Double(Float(h)) * 6.0 / 255.0 - Double(Float(i)))
        let fs = Float(Double(Float(s)) / 255.0)
        let value = Double(Float(v))
        let p = clip8(Int((value * (1.0 - Double(fs))).rounded()))
        let q = clip8(Int((value * (1.0 - Double(fs * f))).rounded()))
        let t = clip8(Int((value * (1.0 - Double(fs) * (1.0 - Double(f)))).rounded()))
        switch i % 6 {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }

    @inline(__always) static func clip8(_ value: Int) -> UInt8 { UInt8(clamping: value) }
}
