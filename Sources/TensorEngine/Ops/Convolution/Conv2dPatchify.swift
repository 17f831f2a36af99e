/// Convolution with kernel = stride and no padding — the patch embedding of a vision transformer.
///
/// Patches do not overlap, so unfolding is a pure gather (every input element lands in at most
/// one patch). A batch goes through one product over all its patches, `[N·Ho·Wo, K]·Wᵀ` with
/// `K = I·kH·kW`, and the result is transposed into NCHW: per-image products
/// `W [O, K] · A_nᵀ [K, Ho·Wo]` are thin (Twins' spatial reduction, 7 × 7 output positions:
/// `[256, 1024]·[1024, 49]` at 30–40% of the GEMM rate; SwinV2-T's patch embedding
/// `[96, 48]·[48, 4096]` at 22%). A single image is gathered and multiplied on its own.
enum Conv2dPatchify {
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
                    copyPatchRows(from: source, sourceStride: kw, to: destination, destinationStride: k,
                                  count: wo, length: kw)
                }
            }
        }
    }

    /// Copies `count` runs of `length` floats, run `i` from `source + i·sourceStride` to
    /// `destination + i·destinationStride`: one kernel row of every patch along an image row.
    /// Runs of 2, 4 and 8 (the patch sizes of SwinV2 and Twins) move as one vector each; a
    /// `memmove` call per run of two floats cost more than the copy itself.
    @inline(__always)
    static func copyPatchRows(from source: UnsafePointer<Float>, sourceStride: Int,
                              to destination: UnsafeMutablePointer<Float>, destinationStride: Int,
                              count: Int, length: Int) {
        @inline(__always)
        func runs<V: SIMD>(of _: V.Type) where V.Scalar == Float {
            for i in 0..<count {
                UnsafeMutableRawPointer(destination + i * destinationStride)
                    .storeBytes(of: UnsafeRawPointer(source + i * sourceStride).loadUnaligned(as: V.self), as: V.self)
            }
        }
        switch length {
        case 2: runs(of: SIMD2<Float>.self)
        case 4: runs(of: SIMD4<Float>.self)
        case 8: runs(of: SIMD8<Float>.self)
        case 16: runs(of: SIMD16<Float>.self)
        default:
            for i in 0..<count {
                let from = source + i * sourceStride, to = destination + i * destinationStride
                for j in 0..<length { to[j] = from[j] }
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
                    copyPatchRows(from: source, sourceStride: k, to: destination, destinationStride: kw,
                                  count: wo, length: kw)
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
        if g.batch > 1 {
            forwardBatched(input: input, weight: weight, bias: bias, output: output, g)
            return
        }
        // One image: `out [O, P] = W [O, K] · Aᵀ`, written straight into NCHW.
        let patches = UnsafeMutablePointer<Float>.allocate(capacity: plane * k)
        defer { patches.deallocate() }
        gather(input, g, into: patches)
        Gemm.multiply(transposeA: false, transposeB: true, m: g.outChannels, n: plane, k: k,
                      a: weight, lda: k, b: patches, ldb: k, c: output, ldc: plane)
        if let bias {
            Conv2dBias.add(bias, to: output, plane: plane, channels: 0..<g.outChannels, columns: 0..<plane,
                           image: 0, outChannels: g.outChannels)
        }
    }

    /// `gradWeight = Σ_n g_n [O, P] · A_n [P, K]` and `gradInput_n = scatter(g_nᵀ · W)`.
    static func backward(input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                         gradient: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                         gradWeight: UnsafeMutablePointer<Float>?, _ g: Conv2dGeometry) {
        let (k, plane) = (g.patchSize, g.outPlane)
        if g.batch > 1 {
            backwardBatched(input: input, weight: weight, gradient: gradient, gradInput: gradInput, gradWeight: gradWeight, g)
            return
        }
        // One image: its gradient `[O, P]` against its own patches.
        let patches = UnsafeMutablePointer<Float>.allocate(capacity: plane * k)
        defer { patches.deallocate() }
        if let gradWeight {
            gather(input, g, into: patches)
            Gemm.multiply(transposeA: false, transposeB: false, m: g.outChannels, n: k, k: plane,
                          a: gradient, lda: plane, b: patches, ldb: k, c: gradWeight, ldc: k)
        }
        if let gradInput {
            Gemm.multiply(transposeA: true, transposeB: false, m: plane, n: k, k: g.outChannels,
                          a: gradient, lda: plane, b: weight, ldb: k, c: patches, ldc: k)
            scatter(patches, g, into: gradInput)
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
    /// `tokens [N·P, O] = A [N·P, K] · Wᵀ + bias`, then `out[n, o, p] = tokens[n·P + p, o]`.
    static func forwardBatched(input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                               bias: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry) {
        let (plane, channels) = (g.outPlane, g.outChannels)
        let tokens = UnsafeMutablePointer<Float>.allocate(capacity: g.batch * plane * channels)
        defer { tokens.deallocate() }
        forwardTokens(input: input, weight: weight, bias: bias, tokens: tokens, g)
        StridedCopyPlan(extent: [g.batch, channels, plane], sourceStrides: [plane * channels, 1, channels],
                        destinationStrides: [channels * plane, plane, 1]).run(from: tokens, to: output)
    }

    /// The result channels last, `tokens [N·P, O] = A [N·P, K] · Wᵀ + bias` (row `n·P + p` is
    /// output position `p` of image `n`): what a vision transformer wants from its patch embedding.
    static func forwardTokens(input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                              bias: UnsafeMutablePointer<Float>?, tokens: UnsafeMutablePointer<Float>, _ g: Conv2dGeometry) {
        let k = g.patchSize
        let rows = g.batch * g.outPlane
        let patches = UnsafeMutablePointer<Float>.allocate(capacity: rows * k)
        defer { patches.deallocate() }
        gatherBatch(input, g, into: patches)
        Gemm.multiply(transposeA: false, transposeB: true, m: rows, n: g.outChannels, k: k,
                      a: patches, lda: k, b: weight, ldb: k, c: tokens, ldc: g.outChannels, rowBias: bias.map { UnsafePointer($0) })
    }

    /// The backward pass over every patch of the batch at once, through ``backwardTokens``.
    static func backwardBatched(input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                                gradient: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                                gradWeight: UnsafeMutablePointer<Float>?, _ g: Conv2dGeometry) {
        let (plane, channels) = (g.outPlane, g.outChannels)
        let tokens = UnsafeMutablePointer<Float>.allocate(capacity: g.batch * plane * channels)
        defer { tokens.deallocate() }
        StridedCopyPlan(extent: [g.batch, plane, channels], sourceStrides: [channels * plane, 1, plane],
                        destinationStrides: [plane * channels, channels, 1]).run(from: gradient, to: tokens)
        backwardTokens(input: input, weight: weight, tokens: tokens, gradInput: gradInput, gradWeight: gradWeight, g)
    }

    /// The adjoint of ``forwardTokens``: with `G [N·P, O]` the output gradient channels last,
    /// `gradWeight = Gᵀ · A` and `gradInput = scatter(G · W)`.
    static func backwardTokens(input: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>,
                               tokens: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                               gradWeight: UnsafeMutablePointer<Float>?, _ g: Conv2dGeometry) {
        let (k, plane, channels) = (g.patchSize, g.outPlane, g.outChannels)
        let rows = g.batch * plane
        let patches = UnsafeMutablePointer<Float>.allocate(capacity: rows * k)
        defer { patches.deallocate() }
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
