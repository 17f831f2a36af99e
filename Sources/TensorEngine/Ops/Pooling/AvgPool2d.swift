/// Average pooling over NCHW planes.
extension Tensor {
    /// The mean of each `kernel` window of `[N, C, H, W]`, moved by `stride` (default: the
    /// kernel) over the input zero-padded by `padding`, giving `[N, C, Ho, Wo]` with
    /// `Ho = ⌊(H + 2·padding.0 − kernel.0) / stride.0⌋ + 1` — `torch.nn.functional.avg_pool2d`.
    ///
    /// With `countIncludePad` (torch's default) every window divides by its size including the
    /// padded cells; without it, by the number of input cells it covers.
    public func avgPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          countIncludePad: Bool = true) -> Tensor {
        let g = Pool2dGeometry("avgPool2d", shape: shape, kernel: kernel, stride: stride, padding: padding)
        let out = Tensor(uninitializedShape: [shape[0], shape[1], g.outHeight, g.outWidth])
        let source = data, destination = out.data
        let grain = max(1, (1 << 13) / max(1, g.inPlane))
        parallelFor(g.planes, grain: grain) { planes in
            for plane in planes {
                let x = source + plane * g.inPlane, y = destination + plane * g.outPlane
                for oh in 0..<g.outHeight {
                    let rows = Pool2dGeometry.window(oh, stride: g.strideY, padding: g.paddingY, kernel: g.kernelHeight, size: g.height)
                    for ow in 0..<g.outWidth {
                        let columns = Pool2dGeometry.window(ow, stride: g.strideX, padding: g.paddingX, kernel: g.kernelWidth, size: g.width)
                        var total: Float = 0
                        for ih in rows.range {
                            let row = x + ih * g.width
                            for iw in columns.range { total += row[iw] }
                        }
                        let divisor = countIncludePad ? rows.paddedLength * columns.paddedLength
                                                      : rows.range.count * columns.range.count
                        y[oh * g.outWidth + ow] = total / Float(max(divisor, 1))
                    }
                }
            }
        }
        if Tape.needsRecording(self) {
            Tape.record(out) { gradient in
                let gradInput = Tensor.zeros(self.shape)
                let upstream = gradient.data, target = gradInput.data
                parallelFor(g.planes, grain: grain) { planes in
                    for plane in planes {
                        let dx = target + plane * g.inPlane, dy = upstream + plane * g.outPlane
                        for oh in 0..<g.outHeight {
                            let rows = Pool2dGeometry.window(oh, stride: g.strideY, padding: g.paddingY, kernel: g.kernelHeight, size: g.height)
                            for ow in 0..<g.outWidth {
                                let columns = Pool2dGeometry.window(ow, stride: g.strideX, padding: g.paddingX, kernel: g.kernelWidth, size: g.width)
                                let divisor = countIncludePad ? rows.paddedLength * columns.paddedLength
                                                              : rows.range.count * columns.range.count
                                let share = dy[oh * g.outWidth + ow] / Float(max(divisor, 1))
                                for ih in rows.range {
                                    let row = dx + ih * g.width
                                    for iw in columns.range { row[iw] += share }
                                }
                            }
                        }
                    }
                }
                self.accumulateGrad(owned: gradInput)
            }
        }
        return out
    }
}
