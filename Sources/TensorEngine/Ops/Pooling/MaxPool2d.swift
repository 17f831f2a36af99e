/// Max pooling over NCHW planes.
extension Tensor {
    /// The maximum of each `kernel` window of `[N, C, H, W]`, moved by `stride` (default: the
    /// kernel) over the input padded by `padding` with −∞, giving `[N, C, Ho, Wo]` with
    /// `Ho = ⌊(H + 2·padding.0 − kernel.0) / stride.0⌋ + 1` — `torch.nn.functional.max_pool2d`.
    ///
    /// The gradient flows only to the arg-max of each window (the first one in row-major order on
    /// ties; a NaN counts as the maximum); overlapping windows add up. The arg-max positions are
    /// kept for backward as 32-bit indices.
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) -> Tensor {
        let g = Pool2dGeometry("maxPool2d", shape: shape, kernel: kernel, stride: stride, padding: padding)
        let out = Tensor(uninitializedShape: [shape[0], shape[1], g.outHeight, g.outWidth])
        let recording = Tape.needsRecording(self)
        let positions = UnsafeMutablePointer<Int32>.allocate(capacity: recording ? g.planes * g.outPlane : 0)
        let source = data, destination = out.data
        parallelFor(g.planes, grain: max(1, (1 << 13) / max(1, g.inPlane))) { planes in
            for plane in planes {
                let x = source + plane * g.inPlane, y = destination + plane * g.outPlane
                let arg = recording ? positions + plane * g.outPlane : nil
                for oh in 0..<g.outHeight {
                    let rows = Pool2dGeometry.window(oh, stride: g.strideY, padding: g.paddingY, kernel: g.kernelHeight, size: g.height).range
                    for ow in 0..<g.outWidth {
                        let columns = Pool2dGeometry.window(ow, stride: g.strideX, padding: g.paddingX, kernel: g.kernelWidth, size: g.width).range
                        var best = -Float.infinity
                        var bestIndex = rows.lowerBound * g.width + columns.lowerBound
                        for ih in rows {
                            let row = x + ih * g.width
                            for iw in columns where row[iw] > best || row[iw].isNaN {
                                best = row[iw]
                                bestIndex = ih * g.width + iw
                                if best.isNaN { break }
                            }
                            if best.isNaN { break }
                        }
                        y[oh * g.outWidth + ow] = best
                        arg?[oh * g.outWidth + ow] = Int32(truncatingIfNeeded: bestIndex)
                    }
                }
            }
        }
        guard recording else {
            positions.deallocate()
            return out
        }
        let owner = IndexBuffer(positions)
        Tape.record(out) { g2 in
            let gradInput = Tensor.zeros(self.shape)
            let upstream = g2.data, target = gradInput.data, arg = owner.pointer
            parallelFor(g.planes, grain: max(1, (1 << 13) / max(1, g.inPlane))) { planes in
                for plane in planes {
                    let dx = target + plane * g.inPlane
                    for i in 0..<g.outPlane {
                        dx[Int(arg[plane * g.outPlane + i])] += upstream[plane * g.outPlane + i]
                    }
                }
            }
            self.accumulateGrad(owned: gradInput)
        }
        return out
    }
}

/// Owns a buffer of indices kept by a recorded op until its backward closure is released.
final class IndexBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int32>
    init(_ pointer: UnsafeMutablePointer<Int32>) { self.pointer = pointer }
    deinit { pointer.deallocate() }
}
