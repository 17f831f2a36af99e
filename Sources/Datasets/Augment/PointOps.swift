/// Pillow's point operations (`ImageOps.invert`, `posterize`, `solarize`, `autocontrast`, `equalize`
/// and timm's `solarize_add`) on 8-bit images: each builds a 256-entry table per channel, clipped to
/// 0–255 as `Image.point` clips it, and maps every byte through it. They are exact: the tables are
/// Pillow's integer arithmetic.
enum PointOps {
    /// Maps channel `c` of every pixel through `tables[c]` (one table serves every channel when
    /// there is only one).
    static func map(_ image: DecodedImage, tables: [[UInt8]]) -> DecodedImage {
        let c = image.channels
        var out = image.pixels
        out.withUnsafeMutableBufferPointer { bytes in
            for channel in 0..<c {
                let table = tables[min(channel, tables.count - 1)]
                var i = channel
                while i < bytes.count {
                    bytes[i] = table[Int(bytes[i])]
                    i += c
                }
            }
        }
        return DecodedImage(height: image.height, width: image.width, channels: c, pixels: out)
    }

    /// A table from integer entries, each clipped to 0–255 (Pillow's `CLIP8` in `Image.point`).
    static func clipped(_ entries: [Int]) -> [UInt8] {
        entries.map { UInt8(min(max($0, 0), 255)) }
    }

    /// `[C][256]` counts of each byte value per channel (`Image.histogram`).
    static func histograms(_ image: DecodedImage) -> [[Int]] {
        var counts = [[Int]](repeating: [Int](repeating: 0, count: 256), count: image.channels)
        for (i, value) in image.pixels.enumerated() { counts[i % image.channels][Int(value)] += 1 }
        return counts
    }

    /// 255 − v.
    static func invert(_ image: DecodedImage) -> DecodedImage {
        map(image, tables: [(0..<256).map { UInt8(255 - $0) }])
    }

    /// Keeps the top `bits` bits of each value: `v & ~(2^(8−bits) − 1)`. 8 or more bits change
    /// nothing; 0 bits give a black image (Pillow 12's result; Pillow 13 refuses 0).
    static func posterize(_ image: DecodedImage, bits: Int) -> DecodedImage {
        guard bits < 8 else { return image }
        let mask = bits <= 0 ? 0 : ~((1 << (8 - bits)) - 1)
        return map(image, tables: [(0..<256).map { UInt8($0 & mask & 0xFF) }])
    }

    /// Values at or above `threshold` become 255 − v (`ImageOps.solarize`; the threshold may have
    /// a fraction, as torchvision's TrivialAugmentWide passes it).
    static func solarize(_ image: DecodedImage, threshold: Double) -> DecodedImage {
        map(image, tables: [(0..<256).map { Double($0) < threshold ? UInt8($0) : UInt8(255 - $0) }])
    }

    /// Values below `threshold` get `add` added, clipped at 255 (timm's `solarize_add`).
    static func solarizeAdd(_ image: DecodedImage, add: Int, threshold: Int) -> DecodedImage {
        map(image, tables: [clipped((0..<256).map { $0 < threshold ? min(255, $0 + add) : $0 })])
    }

    /// Stretches each channel so its lowest value becomes 0 and its highest 255
    /// (`ImageOps.autocontrast` with no cut-off): `int(v · 255/(hi − lo) − lo · 255/(hi − lo))`,
    /// a channel with a single value is left as it is.
    static func autoContrast(_ image: DecodedImage) -> DecodedImage {
        let tables = histograms(image).map { counts -> [UInt8] in
            guard let lo = counts.firstIndex(where: { $0 > 0 }), let hi = counts.lastIndex(where: { $0 > 0 }),
                  hi > lo else { return (0..<256).map { UInt8($0) } }
            let scale = 255.0 / Double(hi - lo), offset = -Double(lo) * scale
            return clipped((0..<256).map { Int(Double($0) * scale + offset) })
        }
        return map(image, tables: tables)
    }

    /// Flattens each channel's histogram (`ImageOps.equalize`): with `step` = (pixels − count of
    /// the highest value) ÷ 255, value i maps to (step/2 + pixels below i) ÷ step; a channel with
    /// one value, or with step 0, is left as it is.
    static func equalize(_ image: DecodedImage) -> DecodedImage {
        let tables = histograms(image).map { counts -> [UInt8] in
            let present = counts.filter { $0 > 0 }
            guard present.count > 1 else { return (0..<256).map { UInt8($0) } }
            let step = (present.reduce(0, +) - present[present.count - 1]) / 255
            guard step > 0 else { return (0..<256).map { UInt8($0) } }
            var n = step / 2
            var entries = [Int](repeating: 0, count: 256)
            for i in 0..<256 {
                entries[i] = n / step
                n += counts[i]
            }
            return clipped(entries)
        }
        return map(image, tables: tables)
    }
}
