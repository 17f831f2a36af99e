/// Depthwise 3×3 convolution (one filter per channel, padding 1, stride 1 or 2) computed directly,
/// without im2col: for each `(n, c)` plane, nine fused multiply-adds per output element, eight
/// output columns at a time.
///
/// Each plane is first copied into a zero-bordered scratch plane that sits in L1, so the inner
/// loop has no edge cases. With a horizontal stride of 2 the scratch plane is split into even and
/// odd padded columns, which turns the strided reads into contiguous ones: padded column
/// `2·ow + kx` is element `ow + kx / 2` of phase `kx % 2`.
enum Conv2dDepthwise3x3 {
    typealias Lanes = SIMD8<Float>

    static func applies(to g: Conv2dGeometry) -> Bool {
        g.groups == g.inChannels && g.outChannels == g.inChannels && g.kernelHeight == 3 && g.kernelWidth == 3
            && g.paddingY == 1 && g.paddingX == 1 && g.dilationY == 1 && g.dilationX == 1
            && (1...2).contains(g.strideY) && (1...2).contains(g.strideX)
    }

    /// The zero-bordered copy of one plane: `phases` column phases, each `rows × rowLength`.
    struct PaddedPlane {
        let phases: Int
        let rows: Int
        let rowLength: Int
        var phaseLength: Int { rows * rowLength }
        var count: Int { phases * phaseLength }

        init(_ g: Conv2dGeometry) {
            phases = g.strideX
            rows = g.height + 2
            // Stride 1: padded columns 0...W+1. Stride 2: ⌈(W + 2) / 2⌉ columns in each phase.
            rowLength = g.strideX == 1 ? g.width + 2 : (g.width + 3) / 2
        }

        /// Offsets of the nine taps `ky·3 + kx` from the start of a window's top row.
        func tapOffsets() -> [Int] {
            (0..<9).map { tap in
                let ky = tap / 3, kx = tap % 3
                return (kx % phases) * phaseLength + ky * rowLength + kx / phases
            }
        }

        /// Copies the plane `source` `[H, W]` into `scratch` with its zero border.
        func fill(_ scratch: UnsafeMutablePointer<Float>, from source: UnsafePointer<Float>, width: Int) {
            for phase in 0..<phases {
                let base = scratch + phase * phaseLength
                base.update(repeating: 0, count: rowLength)
                (base + (rows - 1) * rowLength).update(repeating: 0, count: rowLength)
            }
            for ih in 0..<(rows - 2) {
                let input = source + ih * width
                if phases == 1 {
                    let row = scratch + (ih + 1) * rowLength
                    row[0] = 0
                    (row + 1).update(from: input, count: width)
                    row[width + 1] = 0
                } else {
                    // Padded column j = iw + 1 lives in phase j % 2 at j / 2.
                    let even = scratch + (ih + 1) * rowLength, odd = even + phaseLength
                    even.update(repeating: 0, count: rowLength)
                    odd.update(repeating: 0, count: rowLength)
                    var iw = 0
                    while iw + 1 < width { odd[iw >> 1] = input[iw]; even[(iw >> 1) + 1] = input[iw + 1]; iw += 2 }
                    if iw < width { odd[iw >> 1] = input[iw] }
                }
            }
        }

        /// The inverse of ``fill(_:from:width:)`` for gradients: writes the interior back into `target`.
        func extract(_ scratch: UnsafeMutablePointer<Float>, into target: UnsafeMutablePointer<Float>, width: Int) {
            for ih in 0..<(rows - 2) {
                let output = target + ih * width
                if phases == 1 {
                    output.update(from: scratch + (ih + 1) * rowLength + 1, count: width)
                } else {
                    let even = scratch + (ih + 1) * rowLength, odd = even + phaseLength
                    for iw in 0..<width {
                        let j = iw + 1
                        output[iw] = (j & 1 == 0 ? even : odd)[j >> 1]
                    }
                }
            }
        }
    }

    static func forward(input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                        bias: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry) {
        FlopCounter.add(Int(g.flops))
        let layout = PaddedPlane(g)
        let taps = layout.tapOffsets()
        let (channels, ho, wo, sy, rowLength) = (g.inChannels, g.outHeight, g.outWidth, g.strideY, layout.rowLength)
        parallelFor(g.batch * channels, grain: max(1, 4096 / max(1, g.inPlane))) { planes in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: layout.count)
            defer { scratch.deallocate() }
            for plane in planes {
                let c = plane % channels
                layout.fill(scratch, from: input + plane * g.inPlane, width: g.width)
                correlatePlane(scratch, taps: taps, rowStep: sy * rowLength, weights: weight + c * 9, bias: bias?[c] ?? 0,
                               output: output + plane * g.outPlane, outHeight: ho, outWidth: wo)
            }
        }
    }

    /// `out[oh, ow] = bias + Σ_tap weights[tap] · scratch[oh·rowStep + taps[tap] + ow]`, eight
    /// columns at a time: the 3×3 window over a padded plane.
    @inline(__always)
    static func correlatePlane(_ scratch: UnsafeMutablePointer<Float>, taps: [Int], rowStep: Int,
                               weights w: UnsafePointer<Float>, bias b: Float, output out: UnsafeMutablePointer<Float>,
                               outHeight ho: Int, outWidth wo: Int) {
        let (t0, t1, t2, t3, t4, t5, t6, t7, t8) = (taps[0], taps[1], taps[2], taps[3], taps[4], taps[5], taps[6], taps[7], taps[8])
        let (w0, w1, w2, w3, w4, w5, w6, w7, w8) = (w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8])
        let (v0, v1, v2) = (Lanes(repeating: w0), Lanes(repeating: w1), Lanes(repeating: w2))
        let (v3, v4, v5) = (Lanes(repeating: w3), Lanes(repeating: w4), Lanes(repeating: w5))
        let (v6, v7, v8) = (Lanes(repeating: w6), Lanes(repeating: w7), Lanes(repeating: w8))
        let vb = Lanes(repeating: b)
        for oh in 0..<ho {
            let top = UnsafePointer(scratch + oh * rowStep)
            let y = out + oh * wo
            var ow = 0
            while ow + 8 <= wo {
                var a = vb, e = Lanes()
                a.addProduct(v0, RowVector.load(top + t0 + ow))
                e.addProduct(v1, RowVector.load(top + t1 + ow))
                a.addProduct(v2, RowVector.load(top + t2 + ow))
                e.addProduct(v3, RowVector.load(top + t3 + ow))
                a.addProduct(v4, RowVector.load(top + t4 + ow))
                e.addProduct(v5, RowVector.load(top + t5 + ow))
                a.addProduct(v6, RowVector.load(top + t6 + ow))
                e.addProduct(v7, RowVector.load(top + t7 + ow))
                a.addProduct(v8, RowVector.load(top + t8 + ow))
                RowVector.store(a + e, y + ow)
                ow += 8
            }
            while ow < wo {
                var a = b
                a += w0 * top[t0 + ow] + w1 * top[t1 + ow] + w2 * top[t2 + ow]
                a += w3 * top[t3 + ow] + w4 * top[t4 + ow] + w5 * top[t5 + ow]
                a += w6 * top[t6 + ow] + w7 * top[t7 + ow] + w8 * top[t8 + ow]
                y[ow] = a
                ow += 1
            }
        }
    }

    /// `sums[tap] = Σ_{oh, ow} g[oh, ow] · scratch[oh·rowStep + taps[tap] + ow]`: the weight
    /// gradient of one plane, nine accumulators kept in registers.
    @inline(__always)
    static func tapSums(_ scratch: UnsafeMutablePointer<Float>, taps: [Int], rowStep: Int, gradient: UnsafePointer<Float>,
                        outHeight ho: Int, outWidth wo: Int, into sums: UnsafeMutablePointer<Float>) {
        let (t0, t1, t2, t3, t4, t5, t6, t7, t8) = (taps[0], taps[1], taps[2], taps[3], taps[4], taps[5], taps[6], taps[7], taps[8])
        var (a0, a1, a2, a3, a4, a5, a6, a7, a8) = (Lanes(), Lanes(), Lanes(), Lanes(), Lanes(), Lanes(), Lanes(), Lanes(), Lanes())
        var (s0, s1, s2, s3, s4, s5, s6, s7, s8): (Float, Float, Float, Float, Float, Float, Float, Float, Float) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
        for oh in 0..<ho {
            let top = UnsafePointer(scratch + oh * rowStep)
            let gRow = gradient + oh * wo
            var ow = 0
            while ow + 8 <= wo {
                let gv = RowVector.load(gRow + ow)
                a0.addProduct(gv, RowVector.load(top + t0 + ow))
                a1.addProduct(gv, RowVector.load(top + t1 + ow))
                a2.addProduct(gv, RowVector.load(top + t2 + ow))
                a3.addProduct(gv, RowVector.load(top + t3 + ow))
                a4.addProduct(gv, RowVector.load(top + t4 + ow))
                a5.addProduct(gv, RowVector.load(top + t5 + ow))
                a6.addProduct(gv, RowVector.load(top + t6 + ow))
                a7.addProduct(gv, RowVector.load(top + t7 + ow))
                a8.addProduct(gv, RowVector.load(top + t8 + ow))
                ow += 8
            }
            while ow < wo {
                let gs = gRow[ow]
                s0 += gs * top[t0 + ow]; s1 += gs * top[t1 + ow]; s2 += gs * top[t2 + ow]
                s3 += gs * top[t3 + ow]; s4 += gs * top[t4 + ow]; s5 += gs * top[t5 + ow]
                s6 += gs * top[t6 + ow]; s7 += gs * top[t7 + ow]; s8 += gs * top[t8 + ow]
                ow += 1
            }
        }
        sums[0] = a0.sum() + s0; sums[1] = a1.sum() + s1; sums[2] = a2.sum() + s2
        sums[3] = a3.sum() + s3; sums[4] = a4.sum() + s4; sums[5] = a5.sum() + s5
        sums[6] = a6.sum() + s6; sums[7] = a7.sum() + s7; sums[8] = a8.sum() + s8
    }

    /// Per plane: `dW[c, tap] += Σ g · x_tap` (into a `[N·C, 9]` partial, summed over `n` at the
    /// end so planes never share a sum) and `dx = Σ_tap W[c, tap] · g` scattered through the
    /// padded scratch plane.
    static func backward(input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                         gradient: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                         gradWeight: UnsafeMutablePointer<Float>?, _ g: Conv2dGeometry) {
        let layout = PaddedPlane(g)
        let taps = layout.tapOffsets()
        let (channels, ho, wo, sy, rowLength) = (g.inChannels, g.outHeight, g.outWidth, g.strideY, layout.rowLength)
        let planeCount = g.batch * channels
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: gradWeight == nil ? 0 : planeCount * 9)
        defer { partials.deallocate() }
        // Stride 1: dx is the same 3×3 correlation of the zero-bordered gradient plane with the
        // flipped filter. Stride 2: each gradient row is scattered through the padded phases.
        let unitStride = g.strideY == 1 && g.strideX == 1
        parallelFor(planeCount, grain: max(1, 2048 / max(1, g.inPlane))) { planes in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: layout.count)
            let flipped = UnsafeMutablePointer<Float>.allocate(capacity: 9)
            defer { scratch.deallocate(); flipped.deallocate() }
            for plane in planes {
                let c = plane % channels
                let gradientPlane = UnsafePointer(gradient + plane * g.outPlane)
                if gradWeight != nil {
                    layout.fill(scratch, from: input + plane * g.inPlane, width: g.width)
                    tapSums(scratch, taps: taps, rowStep: sy * rowLength, gradient: gradientPlane, outHeight: ho, outWidth: wo,
                            into: partials + plane * 9)
                }
                guard let gradInput else { continue }
                let w = weight + c * 9
                if unitStride {
                    for tap in 0..<9 { flipped[tap] = w[8 - tap] }
                    layout.fill(scratch, from: gradientPlane, width: wo)
                    correlatePlane(scratch, taps: taps, rowStep: rowLength, weights: flipped, bias: 0,
                                   output: gradInput + plane * g.inPlane, outHeight: g.height, outWidth: g.width)
                } else {
                    scratch.update(repeating: 0, count: layout.count)
                    for oh in 0..<ho {
                        let top = scratch + oh * sy * rowLength
                        let gRow = gradientPlane + oh * wo
                        for tap in 0..<9 { RowVector.addScaled(gRow, w[tap], into: top + taps[tap], wo) }
                    }
                    layout.extract(scratch, into: gradInput + plane * g.inPlane, width: g.width)
                }
            }
        }
        if let gradWeight {
            for c in 0..<channels {
                for tap in 0..<9 {
                    var total: Float = 0
                    for n in 0..<g.batch { total += partials[(n * channels + c) * 9 + tap] }
                    gradWeight[c * 9 + tap] = total
                }
            }
        }
    }
}
