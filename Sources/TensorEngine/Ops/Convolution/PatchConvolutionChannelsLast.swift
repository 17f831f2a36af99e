/// The patch embedding of a vision transformer: a convolution with kernel = stride and no padding
/// over NCHW images whose result comes out channels last, ready to be read as tokens.
extension Tensor {
    /// `[N, I, H, W]` convolved with `weight` `[O, I, k, k']` (stride = kernel, no padding, one
    /// group) plus `bias` `[O]` → `[N, H/k, W/k', O]`: the same numbers as
    /// ``conv2d(weight:bias:stride:padding:dilation:groups:)`` permuted to `[0, 2, 3, 1]`, without
    /// transposing the product into NCHW and back (forward and backward). Rows and columns past
    /// the last whole patch are ignored.
    public func patchConvolutionChannelsLast(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        let op = "patchConvolutionChannelsLast"
        guard rank == 4, weight.rank == 4, weight.shape[1] == shape[1] else {
            EngineError.shapeMismatch(op, shape, weight.shape, "input must be [N, I, H, W] and weight [O, I, kH, kW]")
        }
        let (outChannels, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        if let bias, bias.shape != [outChannels] {
            EngineError.shapeMismatch(op, weight.shape, bias.shape, "bias must be [O] = [\(outChannels)]")
        }
        let geometry = Conv2dGeometry(batch: shape[0], inChannels: shape[1], height: shape[2], width: shape[3],
                                      outChannels: outChannels, kernelHeight: kh, kernelWidth: kw,
                                      strideY: kh, strideX: kw, paddingY: 0, paddingX: 0,
                                      dilationY: 1, dilationX: 1, groups: 1)
        guard kh >= 1, kw >= 1, geometry.outHeight >= 1, geometry.outWidth >= 1 else {
            EngineError.shapeMismatch(op, shape, weight.shape, "the kernel is larger than the image")
        }
        let out = Tensor(uninitializedShape: [geometry.batch, geometry.outHeight, geometry.outWidth, outChannels])
        OpProfiler.measure(.gemm) {
            Conv2dPatchify.forwardTokens(input: data, weight: weight.data, bias: bias?.data, tokens: out.data, geometry)
        }
        if Tape.needsRecording([self, weight] + (bias.map { [$0] } ?? [])) {
            Tape.record(out) { g in
                let gradInput = self.requiresGrad ? Tensor(uninitializedShape: self.shape) : nil
                let gradWeight = weight.requiresGrad ? Tensor(uninitializedShape: weight.shape) : nil
                if gradInput != nil || gradWeight != nil {
                    OpProfiler.measure(.gemm) {
                        Conv2dPatchify.backwardTokens(input: self.data, weight: weight.data, tokens: g.data,
                                                      gradInput: gradInput?.data, gradWeight: gradWeight?.data, geometry)
                    }
                }
                if let gradInput { self.accumulateGrad(owned: gradInput) }
                if let gradWeight { weight.accumulateGrad(owned: gradWeight) }
                if let bias, bias.requiresGrad { bias.accumulateGrad(owned: g.summedToShape([outChannels])) }
            }
        }
        return out
    }
}
