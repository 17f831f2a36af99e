import Foundation

/// How an inverse-mapped output pixel reads the input: Pillow's `NEAREST`, `BILINEAR` and
/// `BICUBIC` transform filters (`Image.transform`; bicubic with a = −1, as Pillow's transform uses).
public enum Resampling: String, Sendable, CaseIterable {
    case nearest, bilinear, bicubic
}

/// Pillow's affine data `(a, b, c, d, e, f)`: output pixel (x, y) reads the input at
/// (a·x + b·y + c, d·x + e·y + f), coordinates measured from the top-left corner of the image and
/// sampled at pixel centres (x + 0.5, y + 0.5). It maps output to input: a shear by `s` along x is
/// (1, s, 0, 0, 1, 0), a shift of the content by t pixels to the left is (1, 0, t, 0, 1, 0).
public struct AffineMatrix: Sendable, Equatable {
    public var a, b, c, d, e, f: Double

    public init(_ a: Double, _ b: Double, _ c: Double, _ d: Double, _ e: Double, _ f: Double) {
        (self.a, self.b, self.c, self.d, self.e, self.f) = (a, b, c, d, e, f)
    }

    /// The rotation `Image.rotate(degrees)` applies about the image centre (w/2, h/2),
    /// counter-clockwise for positive angles, with Pillow's cosines and sines rounded to 15
    /// decimals.
    public static func rotation(degrees: Double, width: Int, height: Int) -> AffineMatrix {
        let angle = -degrees * (Double.pi / 180)
        let cosine = roundedTo15Decimals(cos(angle)), sine = roundedTo15Decimals(sin(angle))
        let cx = Double(width) / 2, cy = Double(height) / 2
        var m = AffineMatrix(cosine, sine, 0, roundedTo15Decimals(-sin(angle)), cosine, 0)
        (m.c, m.f) = (m.a * -cx + m.b * -cy + m.c, m.d * -cx + m.e * -cy + m.f)
        m.c += cx
        m.f += cy
        return m
    }

    /// torchvision's `_get_inverse_affine_matrix`: the inverse of translate · centre · rotate ·
    /// scale · shear · centre⁻¹, angles in degrees, as its PIL path hands it to `Image.transform`.
    public static func torchvisionInverse(center: (Double, Double), angle: Double, translate: (Double, Double),
                                          scale: Double, shear: (Double, Double)) -> AffineMatrix {
        let toRadians = Double.pi / 180
        let rot = toRadians * angle, sx = toRadians * shear.0, sy = toRadians * shear.1
        let (cx, cy) = center, (tx, ty) = translate
        let a = cos(rot - sy) / cos(sy)
        let b = -cos(rot - sy) * tan(sx) / cos(sy) - sin(rot)
        let c = sin(rot - sy) / cos(sy)
        let d = -sin(rot - sy) * tan(sx) / cos(sy) + cos(rot)
        var m = [d, -b, 0.0, -c, a, 0.0].map { $0 / scale }
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty)
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty)
        m[2] += cx
        m[5] += cy
        return AffineMatrix(m[0], m[1], m[2], m[3], m[4], m[5])
    }

    /// Python's `round(x, 15)`: the decimal with 15 places nearest to x's exact binary value
    /// (printf's correctly rounded conversion), read back.
    static func roundedTo15Decimals(_ x: Double) -> Double {
        Double(String(format: "%.15f", x)) ?? x
    }
}

/// Pillow's `Image.transform(size, AFFINE, data, resample, fillcolor=…)` and `Image.rotate` on
/// 8-bit images, output the same size as the input. Each output pixel inverse-maps to the input
/// and reads it with the chosen filter; pixels that land outside take `fill` (one value per
/// channel, the last repeated). Nearest sampling takes Pillow's own paths — a scale-only matrix
/// steps coordinates in double precision, any other uses 16.16 fixed point — so results are
/// exact; bilinear and bicubic evaluate Pillow's double-precision formulas and truncate (bicubic
/// clamps to 0–255 first).
enum AffineResampler {
    static func transform(_ image: DecodedImage, _ m: AffineMatrix, _ resampling: Resampling,
                          fill: [UInt8]) -> DecodedImage {
        let (h, w, c) = (image.height, image.width, image.channels)
        var out = [UInt8](repeating: 0, count: image.pixels.count)
        image.pixels.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                let fillValues = (0..<c).map { fill.isEmpty ? 0 : fill[min($0, fill.count - 1)] }
                for i in 0..<(h * w) {
                    for channel in 0..<c { output[i * c + channel] = fillValues[channel] }
                }
                let source = Source(pixels: input, height: h, width: w, channels: c)
                switch resampling {
                case .nearest where m.b == 0 && m.d == 0:
                    nearestScaled(source, m, output)
                case .nearest where fitsFixedPoint(m, width: w, height: h):
                    nearestFixedPoint(source, m, output)
                case .nearest:
                    nearestStepped(source, m, output)
                case .bilinear, .bicubic:
                    let pixels = output.baseAddress!
                    for y in 0..<h {
                        for x in 0..<w {
                            let xin = m.a * (Double(x) + 0.5) + m.b * (Double(y) + 0.5) + m.c
                            let yin = m.d * (Double(x) + 0.5) + m.e * (Double(y) + 0.5) + m.f
                            guard xin >= 0, xin < Double(w), yin >= 0, yin < Double(h) else { continue }
                            let target = pixels + (y * w + x) * c
                            if resampling == .bilinear {
                                source.bilinear(xin, yin, into: target)
                            } else {
                                source.bicubic(xin, yin, into: target)
                            }
                        }
                    }
                }
            }
        }
        return DecodedImage(height: h, width: w, channels: c, pixels: out)
    }

    /// `Image.rotate(degrees, resample, fillcolor=fill)`, same size: angles that are whole turns
    /// copy the image, half turns flip it, quarter turns of a square image transpose it (Pillow's
    /// exact shortcuts); any other angle is the affine ``AffineMatrix/rotation(degrees:width:height:)``.
    static func rotate(_ image: DecodedImage, degrees: Double, _ resampling: Resampling, fill: [UInt8]) -> DecodedImage {
        var angle = fmod(degrees, 360)  // Python's float modulo: the sign of the divisor
        if angle != 0, angle < 0 { angle += 360 }
        if angle == 0 { return image }
        if angle == 180 { return quarterTurns(image, 2) }
        if (angle == 90 || angle == 270) && image.width == image.height { return quarterTurns(image, angle == 90 ? 1 : 3) }
        return transform(image, .rotation(degrees: angle, width: image.width, height: image.height), resampling, fill: fill)
    }

    /// Rotates by `turns` quarter turns counter-clockwise (Pillow's `ROTATE_90`, `_180`, `_270`).
    static func quarterTurns(_ image: DecodedImage, _ turns: Int) -> DecodedImage {
        let (h, w, c) = (image.height, image.width, image.channels)
        let (outH, outW) = turns % 2 == 1 ? (w, h) : (h, w)
        var out = [UInt8](repeating: 0, count: image.pixels.count)
        for y in 0..<h {
            for x in 0..<w {
                let (ty, tx) = switch turns {
                case 1: (w - 1 - x, y)
                case 2: (h - 1 - y, w - 1 - x)
                default: (x, h - 1 - y)
                }
                for channel in 0..<c { out[(ty * outW + tx) * c + channel] = image.pixels[(y * w + x) * c + channel] }
            }
        }
        return DecodedImage(height: outH, width: outW, channels: c, pixels: out)
    }

    /// Pillow's `COORD`: −1 for negative coordinates, else the integer part.
    @inline(__always) static func coord(_ v: Double) -> Int { v < 0 ? -1 : Int(v) }

    /// Pillow's `ImagingScaleAffine`: no rotation or shear, so columns are tabulated once and rows
    /// stepped, both by repeated addition in double precision.
    static func nearestScaled(_ source: Source, _ m: AffineMatrix, _ output: UnsafeMutableBufferPointer<UInt8>) {
        let (h, w, c) = (source.height, source.width, source.channels)
        var columns = [Int](repeating: 0, count: w)
        var xmin = w, xmax = 0
        var xo = m.c + m.a * 0.5
        for x in 0..<w {
            let xin = coord(xo)
            if xin >= 0 && xin < w {
                xmax = x + 1
                xmin = min(xmin, x)
                columns[x] = xin
            }
            xo += m.a
        }
        var yo = m.f + m.e * 0.5
        for y in 0..<h {
            let yin = coord(yo)
            if yin >= 0 && yin < h && xmin < xmax {
                for x in xmin..<xmax { source.copy(x: columns[x], y: yin, to: output, at: (y * w + x) * c) }
            }
            yo += m.e
        }
    }

    /// Whether every corner maps inside ±32768, the range of Pillow's 16.16 fixed-point path.
    static func fitsFixedPoint(_ m: AffineMatrix, width: Int, height: Int) -> Bool {
        let corners: [(Double, Double)] = [(0, 0), (Double(width), Double(height)), (0, Double(height)), (Double(width), 0)]
        return corners.allSatisfy { x, y in
            let u: Double = x * m.a + y * m.b + m.c, v: Double = x * m.d + y * m.e + m.f
            return abs(u) < 32768 && abs(v) < 32768
        }
    }

    /// Pillow's `affine_fixed`: coordinates in 16.16 fixed point, floored by an arithmetic shift.
    static func nearestFixedPoint(_ source: Source, _ m: AffineMatrix, _ output: UnsafeMutableBufferPointer<UInt8>) {
        func fix(_ v: Double) -> Int32 {
            let scaled = v * 65536 + 0.5
            return Int32(scaled < 0 ? floor(scaled) : scaled.rounded(.towardZero))
        }
        let (h, w, c) = (source.height, source.width, source.channels)
        let a0 = fix(m.a), a1 = fix(m.b), a3 = fix(m.d), a4 = fix(m.e)
        var a2 = fix(m.c + m.a * 0.5 + m.b * 0.5), a5 = fix(m.f + m.d * 0.5 + m.e * 0.5)
        for y in 0..<h {
            var xx = a2, yy = a5
            for x in 0..<w {
                let xin = Int(xx >> 16), yin = Int(yy >> 16)
                if xin >= 0 && xin < w && yin >= 0 && yin < h {
                    source.copy(x: xin, y: yin, to: output, at: (y * w + x) * c)
                }
                xx &+= a0
                yy &+= a3
            }
            a2 &+= a1
            a5 &+= a4
        }
    }

    /// Pillow's floating-point nearest path, for matrices past the fixed-point range.
    static func nearestStepped(_ source: Source, _ m: AffineMatrix, _ output: UnsafeMutableBufferPointer<UInt8>) {
        let (h, w, c) = (source.height, source.width, source.channels)
        var xo = m.c + m.b * 0.5 + m.a * 0.5, yo = m.f + m.e * 0.5 + m.d * 0.5
        for y in 0..<h {
            var xx = xo, yy = yo
            for x in 0..<w {
                let xin = coord(xx), yin = coord(yy)
                if xin >= 0 && xin < w && yin >= 0 && yin < h {
                    source.copy(x: xin, y: yin, to: output, at: (y * w + x) * c)
                }
                xx += m.a
                yy += m.d
            }
            xo += m.b
            yo += m.e
        }
    }

    /// The input image and Pillow's bilinear and bicubic filters (`bilinear_filter8`,
    /// `bicubic_filter8` and their RGB forms), which clamp columns and reuse the last valid row.
    struct Source {
        let pixels: UnsafeBufferPointer<UInt8>
        let height: Int, width: Int, channels: Int

        func copy(x: Int, y: Int, to output: UnsafeMutableBufferPointer<UInt8>, at target: Int) {
            let from = (y * width + x) * channels
            for channel in 0..<channels { output[target + channel] = pixels[from + channel] }
        }

        @inline(__always) func clampX(_ x: Int) -> Int { x < 0 ? 0 : x < width ? x : width - 1 }

        /// Row `y` when it is inside the image, else `nil` (the filters then reuse the row before).
        @inline(__always) func row(_ y: Int) -> UnsafePointer<UInt8>? {
            y >= 0 && y < height ? pixels.baseAddress! + y * width * channels : nil
        }

        /// Row `y` clamped into the image.
        @inline(__always) func clampedRow(_ y: Int) -> UnsafePointer<UInt8> {
            pixels.baseAddress! + (y < 0 ? 0 : y < height ? y : height - 1) * width * channels
        }

        /// Pillow's `FLOOR`: `floor` for negatives, truncation otherwise.
        @inline(__always) func floorInt(_ v: Double) -> Int { v < 0 ? Int(floor(v)) : Int(v) }

        /// Every channel of the pixel at (`xin`, `yin`), bilinear, into `target`.
        @inline(__always) func bilinear(_ xin: Double, _ yin: Double, into target: UnsafeMutablePointer<UInt8>) {
            let xs = xin - 0.5, ys = yin - 0.5
            let x = floorInt(xs), y = floorInt(ys)
            let dx = xs - Double(x), dy = ys - Double(y)
            let x0 = clampX(x) * channels, x1 = clampX(x + 1) * channels
            let top = clampedRow(y), bottom = row(y + 1)
            @inline(__always) func lerp(_ a: Double, _ b: Double, _ d: Double) -> Double { a + (b - a) * d }
            for channel in 0..<channels {
                let v1 = lerp(Double(top[x0 + channel]), Double(top[x1 + channel]), dx)
                let v2 = bottom.map { lerp(Double($0[x0 + channel]), Double($0[x1 + channel]), dx) } ?? v1
                target[channel] = UInt8(lerp(v1, v2, dy))
            }
        }

        /// Every channel of the pixel at (`xin`, `yin`), bicubic (a = −0.5), clamped to 0–255, into `target`.
        @inline(__always) func bicubic(_ xin: Double, _ yin: Double, into target: UnsafeMutablePointer<UInt8>) {
            let xs = xin - 0.5, ys = yin - 0.5
            var x = floorInt(xs), y = floorInt(ys)
            let dx = xs - Double(x), dy = ys - Double(y)
            x -= 1
            y -= 1
            let c0 = clampX(x) * channels, c1 = clampX(x + 1) * channels
            let c2 = clampX(x + 2) * channels, c3 = clampX(x + 3) * channels
            // A row outside the image repeats the value of the row before: the same as reading it.
            let row0 = clampedRow(y)
            let row1 = row(y + 1) ?? row0, row2 = row(y + 2) ?? row1, row3 = row(y + 3) ?? row2
            if channels == 3 {
                @inline(__always) func pixel(_ row: UnsafePointer<UInt8>, _ column: Int) -> SIMD4<Double> {
                    SIMD4(Double(row[column]), Double(row[column + 1]), Double(row[column + 2]), 0)
                }
                @inline(__always) func along(_ row: UnsafePointer<UInt8>) -> SIMD4<Double> {
                    cubic(pixel(row, c0), pixel(row, c1), pixel(row, c2), pixel(row, c3), SIMD4(repeating: dx))
                }
                let v = cubic(along(row0), along(row1), along(row2), along(row3), SIMD4(repeating: dy))
                for channel in 0..<3 { target[channel] = Self.clip(v[channel]) }
                return
            }
            for channel in 0..<channels {
                @inline(__always) func along(_ row: UnsafePointer<UInt8>) -> Double {
                    cubic(Double(row[c0 + channel]), Double(row[c1 + channel]), Double(row[c2 + channel]),
                          Double(row[c3 + channel]), dx)
                }
                target[channel] = Self.clip(cubic(along(row0), along(row1), along(row2), along(row3), dy))
            }
        }

        /// Pillow's cubic through four samples at fraction `d` (a = −0.5), lane by lane.
        @inline(__always) func cubic(_ v1: SIMD4<Double>, _ v2: SIMD4<Double>, _ v3: SIMD4<Double>, _ v4: SIMD4<Double>,
                                     _ d: SIMD4<Double>) -> SIMD4<Double> {
            let p1 = v2, p2 = -v1 + v3, p3 = 2 * (v1 - v2) + v3 - v4, p4 = -v1 + v2 - v3 + v4
            return p1 + d * (p2 + d * (p3 + d * p4))
        }

        @inline(__always) func cubic(_ v1: Double, _ v2: Double, _ v3: Double, _ v4: Double, _ d: Double) -> Double {
            let p1 = v2, p2 = -v1 + v3, p3 = 2 * (v1 - v2) + v3 - v4, p4 = -v1 + v2 - v3 + v4
            return p1 + d * (p2 + d * (p3 + d * p4))
        }

        /// A bicubic value clamped to 0–255 and truncated, as Pillow stores it.
        @inline(__always) static func clip(_ v: Double) -> UInt8 { v <= 0 ? 0 : v >= 255 ? 255 : UInt8(v) }
    }
}
