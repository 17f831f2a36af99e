/// Pillow's two-pass separable resample of 8-bit images (`ImagingResample`, src/libImaging/
/// Resample.c), bit for bit: per axis, each output pixel is a weighted sum over the source
/// pixels within the filter's support — the support scaled by the downscale factor, so shrinking
/// is antialiased —, weights normalised to sum 1 in double precision, then turned into 22-bit
/// fixed point; sums start at ½ and are shifted and clipped to 0…255. The horizontal pass runs
/// first, over only the rows the vertical pass will read, and its result is clipped to bytes
/// before the vertical pass, as Pillow's intermediate image is.
///
/// Each output pixel depends only on its own index, so any rectangle of the output can be
/// computed alone with the same result (the evaluation crop computes just its centre).
enum PillowResample {
    /// Fraction bits of the fixed-point weights (Pillow's `PRECISION_BITS`, 32 − 8 − 2).
    static let precisionBits: Int32 = 22

    /// One axis's coefficients for a range of output indices (Pillow's `precompute_coeffs` and
    /// `normalize_coeffs_8bpc`): output `i` reads `counts[i]` source pixels from `starts[i]`
    /// with weights `weights[i · taps ..< i · taps + counts[i]]`.
    struct Axis {
        let taps: Int
        var starts: [Int]
        var counts: [Int]
        var weights: [Int32]

        /// `inSize` source pixels, of which `in0 ..< in1` (Pillow's float box edges) map onto
        /// `outSize` output pixels; coefficients for the output indices in `outputs`.
        init(inSize: Int, in0: Float, in1: Float, outSize: Int, outputs: Range<Int>, filter: ResampleFilter) {
            let scale = Double(in1 - in0) / Double(outSize)
            let filterScale = max(scale, 1)
            let support = filter.support * filterScale
            taps = Int(support.rounded(.up)) * 2 + 1
            starts = [Int](repeating: 0, count: outputs.count)
            counts = [Int](repeating: 0, count: outputs.count)
            weights = [Int32](repeating: 0, count: outputs.count * taps)
            var raw = [Double](repeating: 0, count: taps)
            let inverse = 1.0 / filterScale, one = Double(1 << PillowResample.precisionBits)
            for (i, xx) in outputs.enumerated() {
                let center = Double(in0) + (Double(xx) + 0.5) * scale
                let xmin = max(Int(center - support + 0.5), 0)
                let count = max(min(Int(center + support + 0.5), inSize) - xmin, 0)
                var sum = 0.0
                for x in 0..<count {
                    raw[x] = filter.weight((Double(x + xmin) - center + 0.5) * inverse)
                    sum += raw[x]
                }
                for x in 0..<count {
                    let k = sum != 0 ? raw[x] / sum : raw[x]
                    weights[i * taps + x] = Int32(k < 0 ? -0.5 + k * one : 0.5 + k * one)
                }
                starts[i] = xmin
                counts[i] = count
            }
        }
    }

    /// A fixed-point sum back to a byte: Pillow's `clip8`.
    @inline(__always) static func clip8(_ sum: Int32) -> UInt8 { UInt8(clamping: sum >> precisionBits) }

    /// Resamples `source` (`height` rows of `width` pixels of `channels` bytes, rows `stride`
    /// bytes apart) so that `box` fills an `outHeight` × `outWidth` image, writing only `part` of
    /// that output (inside it) to `out`, rows `outStride` bytes apart.
    static func run(source: UnsafePointer<UInt8>, stride: Int, height: Int, width: Int, channels: Int, box: SourceBox,
                    outHeight: Int, outWidth: Int, part: PixelRegion, filter: ResampleFilter,
                    into out: UnsafeMutablePointer<UInt8>, outStride: Int) {
        // Pillow skips a pass whose axis is unchanged (its test compares the box's far edge with
        // the output size, as here).
        let horizontal = outWidth != width || box.left != 0 || box.right != Float(outWidth)
        let vertical = outHeight != height || box.top != 0 || box.bottom != Float(outHeight)
        let rowBytes = part.width * channels
        guard part.height > 0, part.width > 0 else { return }
        let columns = Axis(inSize: width, in0: box.left, in1: box.right, outSize: outWidth,
                           outputs: part.left..<part.right, filter: filter)
        switch (horizontal, vertical) {
        case (true, true):
            var rows = Axis(inSize: height, in0: box.top, in1: box.bottom, outSize: outHeight,
                            outputs: part.top..<part.bottom, filter: filter)
            let first = rows.starts[0], last = rows.starts[part.height - 1] + rows.counts[part.height - 1]
            for i in rows.starts.indices { rows.starts[i] -= first }
            let temporary = UnsafeMutablePointer<UInt8>.allocate(capacity: max(last - first, 1) * rowBytes)
            defer { temporary.deallocate() }
            resampleRows(source + first * stride, stride: stride, rows: last - first, channels: channels,
                         axis: columns, into: temporary, outStride: rowBytes)
            resampleColumns(temporary, stride: rowBytes, rowBytes: rowBytes, axis: rows, into: out, outStride: outStride)
        case (true, false):
            resampleRows(source + part.top * stride, stride: stride, rows: part.height, channels: channels,
                         axis: columns, into: out, outStride: outStride)
        case (false, true):
            let rows = Axis(inSize: height, in0: box.top, in1: box.bottom, outSize: outHeight,
                            outputs: part.top..<part.bottom, filter: filter)
            resampleColumns(source + part.left * channels, stride: stride, rowBytes: rowBytes, axis: rows,
                            into: out, outStride: outStride)
        case (false, false):
            for y in 0..<part.height {
                (out + y * outStride).update(from: source + (part.top + y) * stride + part.left * channels, count: rowBytes)
            }
        }
    }

    /// The horizontal pass over `rows` rows: each output pixel a weighted sum along its row.
    static func resampleRows(_ source: UnsafePointer<UInt8>, stride: Int, rows: Int, channels: Int, axis: Axis,
                             into out: UnsafeMutablePointer<UInt8>, outStride: Int) {
        let half: Int32 = 1 << (precisionBits - 1), taps = axis.taps
        axis.weights.withUnsafeBufferPointer { weights in
            axis.starts.withUnsafeBufferPointer { starts in
                axis.counts.withUnsafeBufferPointer { counts in
                    for y in 0..<rows {
                        let row = source + y * stride, target = out + y * outStride
                        for i in 0..<starts.count {
                            let k = weights.baseAddress! + i * taps, n = counts[i]
                            var p = row + starts[i] * channels
                            if channels == 3 {
                                var s0 = half, s1 = half, s2 = half
                                for t in 0..<n {
                                    let w = k[t]
                                    s0 &+= Int32(p[0]) &* w
                                    s1 &+= Int32(p[1]) &* w
                                    s2 &+= Int32(p[2]) &* w
                                    p += 3
                                }
                                target[3 * i] = clip8(s0)
                                target[3 * i + 1] = clip8(s1)
                                target[3 * i + 2] = clip8(s2)
                            } else {
                                for c in 0..<channels {
                                    var s = half
                                    for t in 0..<n { s &+= Int32(p[t * channels + c]) &* k[t] }
                                    target[channels * i + c] = clip8(s)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The vertical pass: each output row a weighted sum of source rows, `rowBytes` bytes each,
    /// accumulated a whole row at a time.
    static func resampleColumns(_ source: UnsafePointer<UInt8>, stride: Int, rowBytes: Int, axis: Axis,
                                into out: UnsafeMutablePointer<UInt8>, outStride: Int) {
        let half: Int32 = 1 << (precisionBits - 1), taps = axis.taps
        let sums = UnsafeMutablePointer<Int32>.allocate(capacity: rowBytes)
        defer { sums.deallocate() }
        axis.weights.withUnsafeBufferPointer { weights in
            for i in 0..<axis.starts.count {
                sums.update(repeating: half, count: rowBytes)
                let k = weights.baseAddress! + i * taps
                for t in 0..<axis.counts[i] {
                    let row = source + (axis.starts[i] + t) * stride, w = k[t]
                    for b in 0..<rowBytes { sums[b] &+= Int32(row[b]) &* w }
                }
                let target = out + i * outStride
                for b in 0..<rowBytes { target[b] = clip8(sums[b]) }
            }
        }
    }
}
