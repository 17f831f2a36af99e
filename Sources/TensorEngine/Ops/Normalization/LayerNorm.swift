#if arch(x86_64)
import TensorEngineAVX512
#endif

/// Layer normalisation over the channel (last) axis, the normalisation of every transformer block.
extension Tensor {
    /// `y = (x − mean) / √(var + ε) · weight + bias` for each row of `[..., C]`, with the mean and
    /// the biased variance taken over the last axis (as `torch.nn.functional.layer_norm` does).
    ///
    /// - Parameters:
    ///   - weight: `[C]` scale, or `nil` for none.
    ///   - bias: `[C]` shift, or `nil` for none.
    ///   - epsilon: added to the variance before the square root.
    /// - Returns: a tensor of the input's shape `[..., C]`.
    ///
    /// Each row is read from memory once: statistics and output are computed while the row sits
    /// in L1. The mean and 1/σ of every row are kept for backward (8 bytes a row), nothing else.
    public func layerNorm(weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5) -> Tensor {
        let channels = layerNormChannels("layerNorm", weight: weight, bias: bias)
        let rows = count / channels
        let out = Tensor(uninitializedShape: shape)
        let parameters = [weight, bias].compactMap { $0 }
        let recording = Tape.needsRecording([self] + parameters)
        // Row statistics for backward: mean in [0, rows), 1/σ in [rows, 2·rows).
        let statistics = recording ? Tensor(uninitializedShape: [2, rows]) : nil
        LayerNormKernel.forward(input: data, output: out.data, rows: rows, channels: channels,
                                weight: weight?.data, bias: bias?.data, epsilon: epsilon,
                                statistics: statistics?.data)
        if recording, let statistics {
            Tape.record(out) { g in
                let needInput = self.requiresGrad
                let needWeight = weight?.requiresGrad ?? false
                let needBias = bias?.requiresGrad ?? false
                // A pre-norm block's input already holds the residual's gradient: add into it.
                let existing = needInput && !self.isLeaf ? self.grad : nil
                let gradInput = needInput && existing == nil ? Tensor(uninitializedShape: self.shape) : nil
                let gradWeight = needWeight ? Tensor(uninitializedShape: [channels]) : nil
                let gradBias = needBias ? Tensor(uninitializedShape: [channels]) : nil
                LayerNormKernel.backward(input: self.data, gradient: g.data, rows: rows, channels: channels,
                                         weight: weight?.data, statistics: statistics.data,
                                         gradInput: (existing ?? gradInput)?.data, accumulate: existing != nil,
                                         gradWeight: gradWeight?.data, gradBias: gradBias?.data)
                if let gradInput { self.accumulateGrad(owned: gradInput) }
                if let weight, let gradWeight { weight.accumulateGrad(owned: gradWeight) }
                if let bias, let gradBias { bias.accumulateGrad(owned: gradBias) }
            }
        }
        return out
    }
}

extension Tensor {
    /// The channel count `C` of a layer norm over this `[..., C]` tensor with `[C]` weight and
    /// bias; stops with a message naming `op` and the shapes otherwise.
    func layerNormChannels(_ op: String, weight: Tensor?, bias: Tensor?) -> Int {
        guard rank >= 1, let channels = shape.last, channels > 0 else {
            EngineError.fail(op, "needs a tensor [..., C] with C > 0, got \(Shape.describe(shape))")
        }
        if let weight, weight.shape != [channels] {
            EngineError.shapeMismatch(op, shape, weight.shape, "weight must be [C] = [\(channels)]")
        }
        if let bias, bias.shape != [channels] {
            EngineError.shapeMismatch(op, shape, bias.shape, "bias must be [C] = [\(channels)]")
        }
        return channels
    }
}

/// The row kernels of ``Tensor/layerNorm(weight:bias:epsilon:)`` over raw buffers.
enum LayerNormKernel {
    typealias Lanes = SIMD8<Float>

    /// Normalises `rows` rows of `channels` floats; writes mean and 1/σ per row into `statistics`
    /// (`[2, rows]`) when given. With `residual` (same layout), writes `residual + s · norm` instead,
    /// `s` the row's sample scale (`sampleScales[r / rowsPerSample]`, 1 without them): a post-norm
    /// block's `x + dropPath(norm(y))` in one pass.
    static func forward(input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, rows: Int, channels: Int,
                        weight: UnsafeMutablePointer<Float>?, bias: UnsafeMutablePointer<Float>?, epsilon: Float,
                        statistics: UnsafeMutablePointer<Float>?, residual: UnsafePointer<Float>? = nil,
                        sampleScales: UnsafePointer<Float>? = nil, rowsPerSample: Int = 1) {
        OpProfiler.measure(.normalization) {
            let c = channels
            #if arch(x86_64)
            if ProcessorFeatures.hasAVX512, LayerNormAVX512.supports(channels: c), let weight, let bias {
                parallelFor(rows, grain: max(1, (1 << 14) / c)) { range in
                    LayerNormAVX512.forward(input: input, output: output, rows: range, channels: c, weight: weight, bias: bias,
                                            epsilon: epsilon, means: statistics, inverseDeviations: statistics.map { $0 + rows },
                                            residual: residual, sampleScales: sampleScales, rowsPerSample: rowsPerSample)
                }
                return
            }
            #endif
            let inverseCount = 1 / Float(c)
            parallelFor(rows, grain: max(1, (1 << 14) / c)) { range in
                for r in range {
                    let x = UnsafePointer(input + r * c), y = output + r * c
                    // The row is in L1 after the first pass; the exact two-pass variance is nearly free.
                    let mean = RowVector.sum(x, c) * inverseCount
                    let variance = RowVector.sumOfSquaredDeviations(x, c, from: mean) * inverseCount
                    let rstd = 1 / (variance + epsilon).squareRoot()
                    if let statistics {
                        statistics[r] = mean
                        statistics[rows + r] = rstd
                    }
                    let m = Lanes(repeating: mean), s = Lanes(repeating: rstd)
                    var j = 0
                    switch (weight, bias) {
                    case let (w?, b?):
                        while j + 8 <= c {
                            let scale = s * RowVector.load(w + j)
                            RowVector.store(((RowVector.load(x + j) - m) * scale) + RowVector.load(b + j), y + j)
                            j += 8
                        }
                        while j < c { y[j] = (x[j] - mean) * rstd * w[j] + b[j]; j += 1 }
                    case let (w?, nil):
                        while j + 8 <= c {
                            RowVector.store((RowVector.load(x + j) - m) * (s * RowVector.load(w + j)), y + j)
                            j += 8
                        }
                        while j < c { y[j] = (x[j] - mean) * rstd * w[j]; j += 1 }
                    case let (nil, b?):
                        while j + 8 <= c {
                            RowVector.store((RowVector.load(x + j) - m) * s + RowVector.load(b + j), y + j)
                            j += 8
                        }
                        while j < c { y[j] = (x[j] - mean) * rstd + b[j]; j += 1 }
                    case (nil, nil):
                        while j + 8 <= c {
                            RowVector.store((RowVector.load(x + j) - m) * s, y + j)
                            j += 8
                        }
                        while j < c { y[j] = (x[j] - mean) * rstd; j += 1 }
                    }
                    if let residual {
                        // The normalised row is still in L1.
                        let scale = sampleScales?[r / rowsPerSample] ?? 1
                        RowVector.scaleAdding(y, scale, residual: residual + r * c, c)
                    }
                }
            }
        }
    }

    /// Gradients of the layer norm from the upstream gradient `gradient` (same layout as the input):
    /// `dx = (1/σ)·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))` with `ĝ = g·weight`, `dweight = Σ_rows g·x̂`,
    /// `dbias = Σ_rows g`. Each output pointer may be `nil` when that gradient is not wanted;
    /// with `accumulate`, `dx` is added to what `gradInput` holds.
    ///
    /// The parameter gradients are summed over rows in per-chunk partials (one `[2, C]` block per
    /// chunk, a fixed number of chunks) and added up at the end, so threads never share a sum.
    ///
    /// For ``Tensor/addingLayerNorm(of:weight:bias:epsilon:sampleScales:)``: `sampleScales`
    /// multiplies each row's gradient by its sample's scale before the norm's backward, and
    /// `gradResidual` receives the unscaled gradient itself (added to what it holds with
    /// `accumulateResidual`), read from the row while it is in L1.
    static func backward(input: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>, rows: Int, channels: Int,
                         weight: UnsafeMutablePointer<Float>?, statistics: UnsafeMutablePointer<Float>,
                         gradInput: UnsafeMutablePointer<Float>?, accumulate: Bool = false,
                         gradWeight: UnsafeMutablePointer<Float>?, gradBias: UnsafeMutablePointer<Float>?,
                         sampleScales: UnsafePointer<Float>? = nil, rowsPerSample: Int = 1,
                         gradResidual: UnsafeMutablePointer<Float>? = nil, accumulateResidual: Bool = false) {
        OpProfiler.measure(.normalization) {
            let c = channels
            let inverseCount = 1 / Float(c)
            let wantParameters = gradWeight != nil || gradBias != nil
            // Enough chunks to balance two busy cores, few enough that the final sum is negligible.
            let chunks = min(rows, 4 * ThreadPool.shared.threadCount, max(1, rows * c / 4096))
            let partials = UnsafeMutablePointer<Float>.allocate(capacity: wantParameters ? max(chunks, 1) * 2 * c : 0)
            defer { partials.deallocate() }
            let used = parallelChunks(rows, chunks: chunks) { chunk, range in
                let scaledRow = UnsafeMutablePointer<Float>.allocate(capacity: sampleScales == nil ? 0 : c)
                defer { scaledRow.deallocate() }
                let partialWeight = partials + chunk * 2 * c, partialBias = partialWeight + c
                if wantParameters { partialWeight.update(repeating: 0, count: 2 * c) }
                for r in range {
                    let x = UnsafePointer(input + r * c)
                    var g = UnsafePointer(gradient + r * c)
                    if let gradResidual {
                        let destination = gradResidual + r * c
                        if accumulateResidual { RowVector.add(g, into: destination, c) } else { destination.update(from: g, count: c) }
                    }
                    if let sampleScales {
                        // This row's gradient times its sample's scale, in a row of scratch (L1).
                        let scale = sampleScales[r / rowsPerSample]
                        RowVector.scale(g, scale, into: scaledRow, c)
                        g = UnsafePointer(scaledRow)
                    }
                    let mean = statistics[r], rstd = statistics[rows + r]
                    let m = Lanes(repeating: mean), s = Lanes(repeating: rstd)
                    // Pass 1: Σ ĝ, Σ ĝ·x̂ and the parameter partials.
                    var sumA = Lanes(), sumB = Lanes()
                    var tailA: Float = 0, tailB: Float = 0
                    var j = 0
                    while j + 8 <= c {
                        let gv = RowVector.load(g + j)
                        let xhat = (RowVector.load(x + j) - m) * s
                        let ghat = weight.map { gv * RowVector.load($0 + j) } ?? gv
                        sumA += ghat
                        sumB.addProduct(ghat, xhat)
                        if wantParameters {
                            var pw = RowVector.load(partialWeight + j)
                            pw.addProduct(gv, xhat)
                            RowVector.store(pw, partialWeight + j)
                            RowVector.store(RowVector.load(partialBias + j) + gv, partialBias + j)
                        }
                        j += 8
                    }
                    while j < c {
                        let xhat = (x[j] - mean) * rstd
                        let ghat = g[j] * (weight?[j] ?? 1)
                        tailA += ghat
                        tailB += ghat * xhat
                        if wantParameters {
                            partialWeight[j] += g[j] * xhat
                            partialBias[j] += g[j]
                        }
                        j += 1
                    }
                    guard let gradInput else { continue }
                    // Pass 2 (row still in L1): dx.
                    let meanA = ((sumA.sum() + tailA) * inverseCount)
                    let meanB = ((sumB.sum() + tailB) * inverseCount)
                    let a = Lanes(repeating: meanA), b = Lanes(repeating: meanB)
                    let dx = gradInput + r * c
                    j = 0
                    while j + 8 <= c {
                        let gv = RowVector.load(g + j)
                        let xhat = (RowVector.load(x + j) - m) * s
                        let ghat = weight.map { gv * RowVector.load($0 + j) } ?? gv
                        let value = s * (ghat - a - xhat * b)
                        RowVector.store(accumulate ? RowVector.load(dx + j) + value : value, dx + j)
                        j += 8
                    }
                    while j < c {
                        let xhat = (x[j] - mean) * rstd
                        let ghat = g[j] * (weight?[j] ?? 1)
                        let value = rstd * (ghat - meanA - xhat * meanB)
                        dx[j] = accumulate ? dx[j] + value : value
                        j += 1
                    }
                }
            }
            guard wantParameters else { return }
            for j in 0..<c {
                var sumWeight: Float = 0, sumBias: Float = 0
                for chunk in 0..<used {
                    sumWeight += partials[chunk * 2 * c + j]
                    sumBias += partials[chunk * 2 * c + c + j]
                }
                gradWeight?[j] = sumWeight
                gradBias?[j] = sumBias
            }
        }
    }
}
