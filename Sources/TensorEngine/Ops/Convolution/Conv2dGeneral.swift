/// Convolution of any geometry as im2col + GEMM per group, over blocks of output positions.
///
/// For image `n`, group `g` and a block of output positions `p0..<p1`, the unfolded input
/// `col` `[I/groups · kH · kW, p1 − p0]` (rows ordered like the weight's `[I/groups, kH, kW]`) turns the
/// convolution into `out[n, g-block, p0..<p1] = W_g [O/groups, K] · col`. Blocks keep `col` within
/// L2 and give the pool (image, block) items to share even for a single image.
enum Conv2dGeneral {
    /// Output positions per block: about 128K floats of `col`.
    static func blockColumns(_ geometry: Conv2dGeometry) -> Int {
        max(16, min(geometry.outPlane, (1 << 17) / max(1, geometry.patchSize)))
    }

    /// Walks every (row of `col`, output row segment) pair of a block: `visit(row, plane, ih, offsetX, owRange, validRange)`
    /// where `row` points at `col`'s element for output column `ow = 0` of that segment.
    @inline(__always)
    private static func forEachSegment(_ geometry: Conv2dGeometry, group: Int, columns: Range<Int>,
                                       col: UnsafeMutablePointer<Float>,
                                       _ visit: (_ row: UnsafeMutablePointer<Float>, _ channel: Int, _ ih: Int, _ offsetX: Int,
                                                 _ segment: Range<Int>, _ valid: Range<Int>) -> Void) {
        let g = geometry
        let (kh, kw, wo) = (g.kernelHeight, g.kernelWidth, g.outWidth)
        let width = columns.count
        for ci in 0..<g.inPerGroup {
            let channel = group * g.inPerGroup + ci
            for ky in 0..<kh {
                let offsetY = ky * g.dilationY - g.paddingY
                for kx in 0..<kw {
                    let offsetX = kx * g.dilationX - g.paddingX
                    let validX = Conv2dGeometry.validOutputs(outSize: wo, offset: offsetX, stride: g.strideX, inSize: g.width)
                    let row = col + ((ci * kh + ky) * kw + kx) * width
                    var p = columns.lowerBound
                    while p < columns.upperBound {
                        let oh = p / wo, start = p - oh * wo
                        let end = min(wo, start + columns.upperBound - p)
                        let ih = oh * g.strideY + offsetY
                        let low = min(max(start, validX.lowerBound), end)
                        let high = max(min(end, validX.upperBound), low)
                        // Element `ow` of this segment sits at row[p − p0 + (ow − start)].
                        visit(row + (p - columns.lowerBound) - start, channel, ih, offsetX, start..<end, low..<high)
                        p += end - start
                    }
                }
            }
        }
    }

    /// Unfolds image `image` (pointer to its `[I, H, W]`), group `group`, positions `columns` into `col`.
    static func unfold(_ image: UnsafePointer<Float>, _ geometry: Conv2dGeometry, group: Int, columns: Range<Int>,
                       into col: UnsafeMutablePointer<Float>) {
        let (height, width, strideX) = (geometry.height, geometry.width, geometry.strideX)
        forEachSegment(geometry, group: group, columns: columns, col: col) { row, channel, ih, offsetX, segment, valid in
            guard ih >= 0 && ih < height else {
                (row + segment.lowerBound).update(repeating: 0, count: segment.count)
                return
            }
            (row + segment.lowerBound).update(repeating: 0, count: valid.lowerBound - segment.lowerBound)
            (row + valid.upperBound).update(repeating: 0, count: segment.upperBound - valid.upperBound)
            let source = image + (channel * height + ih) * width + offsetX
            if strideX == 1 {
                (row + valid.lowerBound).update(from: source + valid.lowerBound, count: valid.count)
            } else {
                for ow in valid { row[ow] = source[ow * strideX] }
            }
        }
    }

    /// The adjoint of ``unfold(_:_:group:columns:into:)``: adds `col` back onto the image gradient.
    static func fold(_ col: UnsafeMutablePointer<Float>, _ geometry: Conv2dGeometry, group: Int, columns: Range<Int>,
                     into image: UnsafeMutablePointer<Float>) {
        let (height, width, strideX) = (geometry.height, geometry.width, geometry.strideX)
        forEachSegment(geometry, group: group, columns: columns, col: col) { row, channel, ih, offsetX, _, valid in
            guard ih >= 0 && ih < height, !valid.isEmpty else { return }
            let destination = image + (channel * height + ih) * width + offsetX
            if strideX == 1 {
                RowVector.add(row + valid.lowerBound, into: destination + valid.lowerBound, valid.count)
            } else {
                for ow in valid { destination[ow * strideX] += row[ow] }
            }
        }
    }

    static func forward(input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                        bias: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>, _ geometry: Conv2dGeometry) {
        let g = geometry
        let (k, outPerGroup, plane) = (g.patchSize, g.outPerGroup, g.outPlane)
        let blockWidth = blockColumns(g)
        let blocks = (plane + blockWidth - 1) / blockWidth
        parallelFor(g.batch * blocks, grain: 1) { items in
            let col = UnsafeMutablePointer<Float>.allocate(capacity: k * blockWidth)
            defer { col.deallocate() }
            for item in items {
                let n = item / blocks, block = item % blocks
                let columns = block * blockWidth ..< min(plane, (block + 1) * blockWidth)
                let image = UnsafePointer(input + n * g.inChannels * g.inPlane)
                for group in 0..<g.groups {
                    unfold(image, g, group: group, columns: columns, into: col)
                    let firstOut = group * outPerGroup
                    Gemm.multiply(transposeA: false, transposeB: false, m: outPerGroup, n: columns.count, k: k,
                                  a: weight + firstOut * k, lda: k, b: col, ldb: columns.count,
                                  c: output + (n * g.outChannels + firstOut) * plane + columns.lowerBound, ldc: plane)
                    if let bias {
                        Conv2dBias.add(bias, to: output, plane: plane, channels: firstOut ..< firstOut + outPerGroup,
                                       columns: columns, image: n, outChannels: g.outChannels)
                    }
                }
            }
        }
    }

    /// `gradWeight = Σ_n g_n · colᵀ` (per-chunk partials, summed at the end) and
    /// `gradInput_n = fold(W_gᵀ · g_n)`; images are split across threads so folds never overlap.
    static func backward(input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                         gradient: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                         gradWeight: UnsafeMutablePointer<Float>?, _ geometry: Conv2dGeometry) {
        let g = geometry
        let (k, outPerGroup, plane) = (g.patchSize, g.outPerGroup, g.outPlane)
        let weightCount = g.outChannels * k
        let blockWidth = blockColumns(g)
        let blocks = (plane + blockWidth - 1) / blockWidth
        let chunks = gradWeight == nil ? g.batch : partialCount(for: g.batch)
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: gradWeight == nil ? 0 : chunks * weightCount)
        defer { partials.deallocate() }
        let used = parallelChunks(g.batch, chunks: chunks) { chunk, images in
            let col = UnsafeMutablePointer<Float>.allocate(capacity: k * blockWidth)
            defer { col.deallocate() }
            let partial = partials + chunk * weightCount
            if gradWeight != nil { partial.update(repeating: 0, count: weightCount) }
            for n in images {
                let image = UnsafePointer(input + n * g.inChannels * g.inPlane)
                let imageGrad = gradInput.map { $0 + n * g.inChannels * g.inPlane }
                imageGrad?.update(repeating: 0, count: g.inChannels * g.inPlane)
                for block in 0..<blocks {
                    let columns = block * blockWidth ..< min(plane, (block + 1) * blockWidth)
                    for group in 0..<g.groups {
                        let firstOut = group * outPerGroup
                        let gradientBlock = gradient + (n * g.outChannels + firstOut) * plane + columns.lowerBound
                        if gradWeight != nil {
                            unfold(image, g, group: group, columns: columns, into: col)
                            Gemm.multiply(transposeA: false, transposeB: true, m: outPerGroup, n: k, k: columns.count,
                                          a: gradientBlock, lda: plane, b: col, ldb: columns.count,
                                          beta: 1, c: partial + firstOut * k, ldc: k)
                        }
                        if let imageGrad {
                            Gemm.multiply(transposeA: true, transposeB: false, m: k, n: columns.count, k: outPerGroup,
                                          a: weight + firstOut * k, lda: k, b: gradientBlock, ldb: plane,
                                          c: col, ldc: columns.count)
                            fold(col, g, group: group, columns: columns, into: imageGrad)
                        }
                    }
                }
            }
        }
        if let gradWeight {
            sumPartials(partials, count: used, length: weightCount, into: gradWeight)
        }
    }
}

/// `destination[i] = Σ_c partials[c·length + i]` for `c` in `0..<count`, in parallel over `i`.
func sumPartials(_ partials: UnsafeMutablePointer<Float>, count: Int, length: Int,
                 into destination: UnsafeMutablePointer<Float>) {
    parallelFor(length, grain: 1 << 14) { range in
        (destination + range.lowerBound).update(from: partials + range.lowerBound, count: range.count)
        for c in 1..<max(count, 1) {
            RowVector.add(partials + c * length + range.lowerBound, into: destination + range.lowerBound, range.count)
        }
    }
}
