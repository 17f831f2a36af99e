/// Which kernel computes a 2-D convolution. ``automatic`` picks the fastest that applies; the
/// others exist so that tests and `runner bench` can compare every fast path with the general one.
public enum Conv2dAlgorithm: Sendable {
    case automatic
    /// im2col + GEMM per group; any geometry (``Conv2dGeneral``).
    case general
    /// Non-overlapping patches, kernel = stride and no padding (``Conv2dPatchify``).
    case patchify
    /// Direct 3×3 depthwise convolution, padding 1, stride 1 or 2 (``Conv2dDepthwise3x3``).
    case depthwise3x3

    static func best(for geometry: Conv2dGeometry) -> Conv2dAlgorithm {
        if Conv2dDepthwise3x3.applies(to: geometry) { return .depthwise3x3 }
        if Conv2dPatchify.applies(to: geometry) { return .patchify }
        return .general
    }
}

/// 2-D convolution over NCHW images: patch embeddings, convolutional stems and depthwise mixing.
extension Tensor {
    /// The cross-correlation of `[N, I, H, W]` with `weight` `[O, I/groups, kH, kW]` plus `bias` `[O]`,
    /// giving `[N, O, Ho, Wo]` with `Ho = ⌊(H + 2·padding.0 − dilation.0·(kH − 1) − 1) / stride.0⌋ + 1`
    /// (likewise `Wo`) — `torch.nn.functional.conv2d`.
    ///
    /// Input channels and output channels are split into `groups` equal groups; output group `g`
    /// sees only input group `g` (`groups == I == O` is a depthwise convolution). Padding is zeros.
    ///
    /// Three kernels compute it: a direct depthwise 3×3 kernel (padding 1, stride 1 or 2), a
    /// patch-gather + GEMM when the kernel equals the stride without padding (a ViT patch
    /// embedding), and im2col + GEMM for everything else. Backward gives the gradients of the
    /// input, the weight and the bias; it recomputes the unfolded input rather than keeping it.
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                       dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Tensor {
        conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
               algorithm: .automatic)
    }

    /// ``conv2d(weight:bias:stride:padding:dilation:groups:)`` with a chosen kernel (for tests and
    /// benchmarks); a kernel that does not apply to the geometry is an error.
    public func conv2d(weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int),
                groups: Int, algorithm: Conv2dAlgorithm) -> Tensor {
        let op = "conv2d"
        guard rank == 4, weight.rank == 4 else {
            EngineError.shapeMismatch(op, shape, weight.shape, "input must be [N, I, H, W] and weight [O, I/groups, kH, kW]")
        }
        guard groups >= 1, stride.0 >= 1, stride.1 >= 1, dilation.0 >= 1, dilation.1 >= 1, padding.0 >= 0, padding.1 >= 0 else {
            EngineError.fail(op, "needs groups, stride and dilation ≥ 1 and padding ≥ 0; got groups \(groups), stride \(stride), padding \(padding), dilation \(dilation)")
        }
        let inChannels = shape[1], outChannels = weight.shape[0]
        guard inChannels % groups == 0, outChannels % groups == 0, weight.shape[1] * groups == inChannels else {
            EngineError.shapeMismatch(op, shape, weight.shape,
                                      "with groups = \(groups), input channels (\(inChannels)) and weight.shape[0] (\(outChannels)) must divide by groups and weight.shape[1] must be \(inChannels / groups)")
        }
        if let bias, bias.shape != [outChannels] {
            EngineError.shapeMismatch(op, weight.shape, bias.shape, "bias must be [O] = [\(outChannels)]")
        }
        let geometry = Conv2dGeometry(batch: shape[0], inChannels: inChannels, height: shape[2], width: shape[3],
                                      outChannels: outChannels, kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
                                      strideY: stride.0, strideX: stride.1, paddingY: padding.0, paddingX: padding.1,
                                      dilationY: dilation.0, dilationX: dilation.1, groups: groups)
        guard geometry.kernelHeight >= 1, geometry.kernelWidth >= 1, geometry.outHeight >= 1, geometry.outWidth >= 1 else {
            EngineError.shapeMismatch(op, shape, weight.shape,
                                      "the (dilated) kernel is larger than the padded input (padding \(padding), dilation \(dilation))")
        }
        let chosen = algorithm == .automatic ? Conv2dAlgorithm.best(for: geometry) : algorithm
        switch chosen {
        case .patchify where !Conv2dPatchify.applies(to: geometry),
             .depthwise3x3 where !Conv2dDepthwise3x3.applies(to: geometry):
            EngineError.fail(op, "the \(chosen) kernel does not apply to input \(Shape.describe(shape)), weight \(Shape.describe(weight.shape))")
        default: break
        }

        let out = Tensor(uninitializedShape: [geometry.batch, outChannels, geometry.outHeight, geometry.outWidth])
        // Timed as a whole (gathers, direct kernels and their GEMMs) under the GEMM family.
        OpProfiler.measure(.gemm) {
            switch chosen {
            case .depthwise3x3:
                Conv2dDepthwise3x3.forward(input: data, weight: weight.data, bias: bias?.data, output: out.data, geometry)
            case .patchify:
                Conv2dPatchify.forward(input: data, weight: weight.data, bias: bias?.data, output: out.data, geometry)
            case .general, .automatic:
                Conv2dGeneral.forward(input: data, weight: weight.data, bias: bias?.data, output: out.data, geometry)
            }
        }

        if Tape.needsRecording([self, weight] + (bias.map { [$0] } ?? [])) {
            Tape.record(out) { g in
                let gradInput = self.requiresGrad ? Tensor(uninitializedShape: self.shape) : nil
                let gradWeight = weight.requiresGrad ? Tensor(uninitializedShape: weight.shape) : nil
                if gradInput != nil || gradWeight != nil {
                    OpProfiler.measure(.gemm) {
                        switch chosen {
                        case .depthwise3x3:
                            Conv2dDepthwise3x3.backward(input: self.data, weight: weight.data, gradient: g.data,
                                                        gradInput: gradInput?.data, gradWeight: gradWeight?.data, geometry)
                        case .patchify:
                            Conv2dPatchify.backward(input: self.data, weight: weight.data, gradient: g.data,
                                                    gradInput: gradInput?.data, gradWeight: gradWeight?.data, geometry)
                        case .general, .automatic:
                            Conv2dGeneral.backward(input: self.data, weight: weight.data, gradient: g.data,
                                                   gradInput: gradInput?.data, gradWeight: gradWeight?.data, geometry)
                        }
                    }
                }
                if let gradInput { self.accumulateGrad(owned: gradInput) }
                if let gradWeight { weight.accumulateGrad(owned: gradWeight) }
                if let bias, bias.requiresGrad {
                    bias.accumulateGrad(owned: Conv2dBias.gradient(g, channels: outChannels))
                }
            }
        }
        return out
    }
}

/// The bias term of a convolution, shared by every algorithm.
enum Conv2dBias {
    /// `out[n, o, p] += bias[o]` for `p` in `columns` of the plane `[N, O, P]`, rows `channels`.
    @inline(__always)
    static func add(_ bias: UnsafeMutablePointer<Float>, to output: UnsafeMutablePointer<Float>, plane: Int,
                    channels: Range<Int>, columns: Range<Int>, image: Int, outChannels: Int) {
        for o in channels {
            let row = output + (image * outChannels + o) * plane + columns.lowerBound
            let value = bias[o]
            let v = SIMD8<Float>(repeating: value)
            var j = 0
            let n = columns.count
            while j + 8 <= n { RowVector.store(RowVector.load(row + j) + v, row + j); j += 8 }
            while j < n { row[j] += value; j += 1 }
        }
    }

    /// `dbias[o] = Σ_{n, p} g[n, o, p]` for `g` `[N, O, ...]`.
    static func gradient(_ g: Tensor, channels: Int) -> Tensor {
        let batch = g.shape[0], plane = g.count / max(1, batch * channels)
        let result = Tensor(uninitializedShape: [channels])
        let source = g.data, destination = result.data
        parallelFor(channels, grain: max(1, (1 << 14) / max(1, batch * plane))) { range in
            for o in range {
                var total: Double = 0
                for n in 0..<batch { total += Double(RowVector.sum(source + (n * channels + o) * plane, plane)) }
                destination[o] = Float(total)
            }
        }
        return result
    }
}
