/// Convolution with kernel = stride and no padding — the patch embedding of a vision transformer.
///
/// Patches do not overlap, so unfolding is a pure gather (every input element lands in at most
/// one patch): image `n` becomes `A_n` `[Ho·Wo, I·kH·kW]`, one row per patch, and the output is
/// `out_n [O, Ho·Wo] = W [O, K] · A_nᵀ`, written straight into NCHW. Each image is gathered and
/// multiplied while its `A_n` is in L2; images are spread across the pool.
///
/// A small output plane (Twins' spatial reduction before global attention: 7 × 7 positions from
/// 8 × 8, 4 × 4 or 2 × 2 patches of 64–256 channels) makes those per-image products thin
/// (`[256, 1024]·[1024, 49]`, 30–40% of the GEMM rate); there the whole batch goes through one
/// product over all patches, `[N·Ho·Wo, K]·Wᵀ`, and the result is transposed into NCHW.
enum Conv2dPatchify {
    /// Output planes below this many positions take the batched path.
    static let batchedPlaneLimit = 128

    static func applies(to g: Conv2dGeometry) -> Bool {
        g.groups == 1 && g.kernelHeight == g.strideY && g.kernelWidth == g.strideX
            && g.paddingY == 0 && g.paddingX == 0 && g.dilationY == 1 && g.dilationX == 1
    }

    /// Gathers image `image` (`[I, H, W]`) into `patches` `[Ho·Wo, I·kH·kW]`.
    static func gather(_ image: UnsafePointer<Float>, _ g: Conv2dGeometry, into patches: UnsafeMutablePointer<Float>) {
        let (kh, kw, ho, wo, k) = (g.kernelHeight, g.kernelWidth, g.outHeight, g.outWidth, g.patchSize)
        for ci in 0..<g.inChannels {
            for ky in 0..<kh {
                let column = (ci * kh + ky) * kw
                for oh in 0..<ho {
                    let source = image + (ci * g.height + oh * kh + ky) * g.width
                    let destination = patches + oh * wo * k + column
                    if kw == 4 {
                        for ow in 0..<wo {
                            UnsafeMutableRawPointer(destination + ow * k)
                                .storeBytes(of: UnsafeRawPointer(source + ow * 4).loadUnaligned(as: SIMD4<Float>.self),
                                            as: SIMD4<Float>.self)
                        }
                    } else {
                        for ow in 0..<wo { (destination + ow * k).update(from: source + ow * kw, count: kw) }
                    }
                }
            }
        }
    }

    /// The adjoint of ``gather(_:_:into:)``: writes `patches` back into the image gradient (every
    /// element at most once; rows and columns beyond the last whole patch get zero).
    static func scatter(_ patches: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry, into image: UnsafeMutablePointer<Float>) {
        let (kh, kw, ho, wo, k) = (g.kernelHeight, g.kernelWidth, g.outHeight, g.outWidth, g.patchSize)
        let coveredWidth = wo * kw
        for ci in 0..<g.inChannels {
            for ky in 0..<kh {
                let column = (ci * kh + ky) * kw
                for oh in 0..<ho {
                    let destination = image + (ci * g.height + oh * kh + ky) * g.width
                    let source = patches + oh * wo * k + column
                    for ow in 0..<wo { (destination + ow * kw).update(from: source + ow * k, count: kw) }
                    (destination + coveredWidth).update(repeating: 0, count: g.width - coveredWidth)
                }
            }
            let coveredRows = ho * kh
            (image + (ci * g.height + coveredRows) * g.width).update(repeating: 0, count: (g.height - coveredRows) * g.width)
        }
    }

    static func forward(input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                        bias: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry) {
        let (k, plane) = (g.patchSize, g.outPlane)
        if plane < batchedPlaneLimit && g.batch > 1 {
            forwardBatched(input: input, weight: weight, bias: bias, output: output, g)
            return
        }
        parallelFor(g.batch, grain: 1) { images in
            let patches = UnsafeMutablePointer<Float>.allocate(capacity: plane * k)
            defer { patches.deallocate() }
            for n in images {
                gather(input + n * g.inChannels * g.inPlane, g, into: patches)
                Gemm.multiply(transposeA: false, transposeB: true, m: g.outChannels, n: plane, k: k,
                              a: weight, lda: k, b: patches, ldb: k, c: output + n * g.outChannels * plane, ldc: plane)
                if let bias {
                    Conv2dBias.add(bias, to: output, plane: plane, channels: 0..<g.outChannels, columns: 0..<plane,
                                   image: n, outChannels: g.outChannels)
                }
            }
        }
    }

    /// `gradWeight = Σ_n g_n [O, P] · A_n [P, K]` (per-chunk partials) and
    /// `gradInput_n = scatter(g_nᵀ · W)`.
    static func backward(input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                         gradient: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                         gradWeight: UnsafeMutablePointer<Float>?, _ g: Conv2dGeometry) {
        let (k, plane) = (g.patchSize, g.outPlane)
        if plane < batchedPlaneLimit && g.batch > 1 {
            backwardBatched(input: input, weight: weight, gradient: gradient, gradInput: gradInput, gradWeight: gradWeight, g)
            return
        }
        let weightCount = g.outChannels * k
        let chunks = gradWeight == nil ? g.batch : partialCount(for: g.batch)
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: gradWeight == nil ? 0 : chunks * weightCount)
        defer { partials.deallocate() }
        let used = parallelChunks(g.batch, chunks: chunks) { chunk, images in
            let patches = UnsafeMutablePointer<Float>.allocate(capacity: plane * k)
            defer { patches.deallocate() }
            let partial = partials + chunk * weightCount
            for (index, n) in images.enumerated() {
                let imageGradient = gradient + n * g.outChannels * plane
                if gradWeight != nil {
                    gather(input + n * g.inChannels * g.inPlane, g, into: patches)
                    Gemm.multiply(transposeA: false, transposeB: false, m: g.outChannels, n: k, k: plane,
                                  a: imageGradient, lda: plane, b: patches, ldb: k,
                                  beta: index == 0 ? 0 : 1, c: partial, ldc: k)
                }
                if let gradInput {
                    Gemm.multiply(transposeA: true, transposeB: false, m: plane, n: k, k: g.outChannels,
                                  a: imageGradient, lda: plane, b: weight, ldb: k, c: patches, ldc: k)
                    scatter(patches, g, into: gradInput + n * g.inChannels * g.inPlane)
                }
            }
        }
        if let gradWeight {
            sumPartials(partials, count: used, length: weightCount, into: gradWeight)
        }
    }

    /// Every image of the batch gathered into `patches` `[N·Ho·Wo, I·kH·kW]`, images in parallel.
    static func gatherBatch(_ input: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry, into patches: UnsafeMutablePointer<Float>) {
        let rowsPerImage = g.outPlane * g.patchSize
        parallelFor(g.batch, grain: 1) { images in
            for n in images { gather(input + n * g.inChannels * g.inPlane, g, into: patches + n * rowsPerImage) }
        }
    }

    /// The forward pass as one product over every patch of the batch:
    /// `tokens [N·P, O] = A [N·P, K] · Wᵀ`, then `out[n, o, p] = tokens[n·P + p, o] + bias[o]`.
    static func forwardBatched(input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                               bias: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry) {
        let (k, plane, channels) = (g.patchSize, g.outPlane, g.outChannels)
        let rows = g.batch * plane
        let patches = UnsafeMutablePointer<Float>.allocate(capacity: rows * k)
        let tokens = UnsafeMutablePointer<Float>.allocate(capacity: rows * channels)
        defer { patches.deallocate(); tokens.deallocate() }
        gatherBatch(input, g, into: patches)
        Gemm.multiply(transposeA: false, transposeB: true, m: rows, n: channels, k: k,
                      a: patches, lda: k, b: weight, ldb: k, c: tokens, ldc: channels)
        parallelFor(g.batch * channels, grain: 16) { planes in
            for index in planes {
                let n = index / channels, o = index % channels
                let destination = output + index * plane, source = tokens + n * plane * channels + o
                let shift = bias?[o] ?? 0
                for p in 0..<plane { destination[p] = source[p * channels] + shift }
            }
        }
    }

    /// The backward pass over every patch of the batch at once: with `G [N·P, O]` the output
    /// gradient as tokens, `gradWeight = Gᵀ · A` and `gradInput = scatter(G · W)`.
    static func backwardBatched(input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                                gradient: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                                gradWeight: UnsafeMutablePointer<Float>?, _ g: Conv2dGeometry) {
        let (k, plane, channels) = (g.patchSize, g.outPlane, g.outChannels)
        let rows = g.batch * plane
        let tokens = UnsafeMutablePointer<Float>.allocate(capacity: rows * channels)
        let patches = UnsafeMutablePointer<Float>.allocate(capacity: rows * k)
        defer { tokens.deallocate(); patches.deallocate() }
        parallelFor(g.batch, grain: 1) { images in
            for n in images {
                for o in 0..<channels {
                    let source = gradient + (n * channels + o) * plane, destination = tokens + n * plane * channels + o
                    for p in 0..<plane { destination[p * channels] = source[p] }
                }
            }
        }
        if let gradWeight {
            gatherBatch(input, g, into: patches)
            Gemm.multiply(transposeA: true, transposeB: false, m: channels, n: k, k: rows,
                          a: tokens, lda: channels, b: patches, ldb: k, c: gradWeight, ldc: k)
        }
        if let gradInput {
            Gemm.multiply(transposeA: false, transposeB: false, m: rows, n: k, k: channels,
                          a: tokens, lda: channels, b: weight, ldb: k, c: patches, ldc: k)
            parallelFor(g.batch, grain: 1) { images in
                for n in images { scatter(patches + n * plane * k, g, into: gradInput + n * g.inChannels * g.inPlane) }
            }
        }
    }
}
