/// Adaptive average pooling: a fixed output size whatever the input size.
extension Tensor {
    /// The mean of `[N, C, H, W]` over an `outputSize.0 × outputSize.1` grid of bins, giving
    /// `[N, C, outputSize.0, outputSize.1]` — `torch.nn.functional.adaptive_avg_pool2d`. Bin `i`
    /// of an axis of length `In` spans `⌊i·In/Out⌋ ..< ⌈(i+1)·In/Out⌉`, so bins may overlap when
    /// the sizes do not divide. `(1, 1)` is global average pooling.
    public func adaptiveAvgPool2d(outputSize: (Int, Int)) -> Tensor {
        let op = "adaptiveAvgPool2d"
        guard rank == 4 else { EngineError.fail(op, "needs an input [N, C, H, W], got \(Shape.describe(shape))") }
        guard outputSize.0 >= 1, outputSize.1 >= 1, shape[2] >= 1, shape[3] >= 1 else {
            EngineError.shapeMismatch(op, shape, [outputSize.0, outputSize.1], "needs a non-empty input and output size ≥ 1")
        }
        let (height, width) = (shape[2], shape[3])
        let (outHeight, outWidth) = outputSize
        let planes = shape[0] * shape[1]
        let inPlane = height * width, outPlane = outHeight * outWidth
        func bin(_ i: Int, _ input: Int, _ output: Int) -> Range<Int> {
            (i * input / output) ..< (((i + 1) * input + output - 1) / output)
        }
        let rowBins = (0..<outHeight).map { bin($0, height, outHeight) }
        let columnBins = (0..<outWidth).map { bin($0, width, outWidth) }
        let out = Tensor(uninitializedShape: [shape[0], shape[1], outHeight, outWidth])
        let source = data, destination = out.data
        let grain = max(1, (1 << 13) / max(1, inPlane))
        parallelFor(planes, grain: grain) { range in
            for plane in range {
                let x = source + plane * inPlane, y = destination + plane * outPlane
                for oh in 0..<outHeight {
                    let rows = rowBins[oh]
                    for ow in 0..<outWidth {
                        let columns = columnBins[ow]
                        var total: Float = 0
                        for ih in rows {
                            let row = x + ih * width
                            if columns.count >= 8 {
                                total += RowVector.sum(row + columns.lowerBound, columns.count)
                            } else {
                                for iw in columns { total += row[iw] }
                            }
                        }
                        y[oh * outWidth + ow] = total / Float(rows.count * columns.count)
                    }
                }
            }
        }
        if Tape.needsRecording(self) {
            Tape.record(out) { gradient in
                let gradInput = Tensor.zeros(self.shape)
                let upstream = gradient.data, target = gradInput.data
                parallelFor(planes, grain: grain) { range in
                    for plane in range {
                        let dx = target + plane * inPlane, dy = upstream + plane * outPlane
                        for oh in 0..<outHeight {
                            let rows = rowBins[oh]
                            for ow in 0..<outWidth {
                                let columns = columnBins[ow]
                                let share = dy[oh * outWidth + ow] / Float(rows.count * columns.count)
                                for ih in rows {
                                    let row = dx + ih * width
                                    for iw in columns { row[iw] += share }
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
