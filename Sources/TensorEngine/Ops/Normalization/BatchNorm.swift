/// Batch normalisation over the channel axis (axis 1) of `[N, C, ...]`, as in convolutional stems.
extension Tensor {
    /// `y = (x − mean_c) / √(var_c + ε) · weight_c + bias_c` for `[N, C]`, `[N, C, L]` or
    /// `[N, C, H, W]`, with PyTorch's `batch_norm` semantics.
    ///
    /// - In training (`training: true`) the statistics of channel `c` are those of the batch: the
    ///   mean and the *biased* variance over every `N · H · W` element of the channel. When the
    ///   running statistics are given they are updated in place (not recorded), as torch does:
    ///   `running = (1 − momentum) · running + momentum · batch`, using the *unbiased* variance.
    /// - In evaluation (`training: false`) `runningMean` and `runningVariance` are the statistics
    ///   and are required.
    ///
    /// - Parameters:
    ///   - weight, bias: `[C]` affine parameters, or `nil` for none.
    ///   - runningMean, runningVariance: `[C]` running statistics (mutated in training).
    /// - Returns: a tensor of the input's shape.
    ///
    /// Backward gives the gradients of the input, weight and bias in both modes; in training the
    /// input gradient includes the path through the batch statistics. Only the per-channel mean
    /// and 1/σ are kept for it.
    public func batchNorm(weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVariance: Tensor?,
                          training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) -> Tensor {
        let op = "batchNorm"
        guard rank >= 2 else {
            EngineError.fail(op, "needs a tensor [N, C, ...], got \(Shape.describe(shape))")
        }
        let batch = shape[0], channels = shape[1]
        let inner = Shape.elementCount(Array(shape.dropFirst(2)))
        for (name, parameter) in [("weight", weight), ("bias", bias), ("runningMean", runningMean),
                                  ("runningVariance", runningVariance)] {
            if let parameter, parameter.shape != [channels] {
                EngineError.shapeMismatch(op, shape, parameter.shape, "\(name) must be [C] = [\(channels)]")
            }
        }
        let perChannel = batch * inner
        if training && perChannel <= 1 {
            EngineError.fail(op, "training needs more than one value per channel, got input \(Shape.describe(shape))")
        }
        if !training && (runningMean == nil || runningVariance == nil) {
            EngineError.fail(op, "evaluation needs runningMean and runningVariance")
        }
        let out = Tensor(uninitializedShape: shape)
        // Per-channel statistics used: mean in [0, C), 1/σ in [C, 2C).
        let statistics = Tensor(uninitializedShape: [2, channels])
        let kernel = BatchNormKernel(batch: batch, channels: channels, inner: inner)
        if training {
            kernel.batchStatistics(input: data, epsilon: epsilon, statistics: statistics.data,
                                   runningMean: runningMean?.data, runningVariance: runningVariance?.data,
                                   momentum: momentum)
        } else if let runningMean, let runningVariance {
            let mean = runningMean.data, variance = runningVariance.data, stats = statistics.data
            for c in 0..<channels {
                stats[c] = mean[c]
                stats[channels + c] = 1 / (variance[c] + epsilon).squareRoot()
            }
        }
        kernel.normalize(input: data, output: out.data, statistics: statistics.data,
                         weight: weight?.data, bias: bias?.data)

        let parameters = [weight, bias].compactMap { $0 }
        if Tape.needsRecording([self] + parameters) {
            Tape.record(out) { g in
                let gradInput = self.requiresGrad ? Tensor(uninitializedShape: self.shape) : nil
                let gradWeight = (weight?.requiresGrad ?? false) ? Tensor(uninitializedShape: [channels]) : nil
                let gradBias = (bias?.requiresGrad ?? false) ? Tensor(uninitializedShape: [channels]) : nil
                kernel.backward(input: self.data, gradient: g.data, statistics: statistics.data,
                                weight: weight?.data, throughStatistics: training,
                                gradInput: gradInput?.data, gradWeight: gradWeight?.data, gradBias: gradBias?.data)
                if let gradInput { self.accumulateGrad(owned: gradInput) }
                if let weight, let gradWeight { weight.accumulateGrad(owned: gradWeight) }
                if let bias, let gradBias { bias.accumulateGrad(owned: gradBias) }
            }
        }
        return out
    }
}

/// The per-channel kernels of ``Tensor/batchNorm(weight:bias:runningMean:runningVariance:training:momentum:epsilon:)``.
/// Channel `c` of `[N, C, inner]` is `N` runs of `inner` contiguous floats; work is split by channel,
/// so every per-channel sum belongs to one thread.
struct BatchNormKernel {
    typealias Lanes = SIMD8<Float>
    let batch: Int
    let channels: Int
    let inner: Int

    private var grain: Int { max(1, (1 << 14) / max(1, batch * inner)) }

    /// Batch mean and 1/σ (biased variance) per channel into `statistics`, and the running update.
    func batchStatistics(input: UnsafeMutablePointer<Float>, epsilon: Float, statistics: UnsafeMutablePointer<Float>,
                         runningMean: UnsafeMutablePointer<Float>?, runningVariance: UnsafeMutablePointer<Float>?,
                         momentum: Float) {
        let (batch, channels, inner) = (self.batch, self.channels, self.inner)
        let count = Double(batch * inner)
        parallelFor(channels, grain: grain) { range in
            for c in range {
                // Shifted sums (shift = the channel's first element) in Double across runs.
                let shift = input[c * inner]
                var sum = 0.0, squares = 0.0
                for n in 0..<batch {
                    let run = UnsafePointer(input + (n * channels + c) * inner)
                    let moments = RowVector.shiftedMoments(run, inner, shift: shift)
                    sum += Double(moments.sum)
                    squares += Double(moments.squares)
                }
                let shiftedMean = sum / count
                let variance = max(0, squares / count - shiftedMean * shiftedMean)
                let mean = Double(shift) + shiftedMean
                statistics[c] = Float(mean)
                statistics[channels + c] = Float(1 / (variance + Double(epsilon)).squareRoot())
                if let runningMean, let runningVariance {
                    let unbiased = variance * count / (count - 1)
                    runningMean[c] = (1 - momentum) * runningMean[c] + momentum * Float(mean)
                    runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * Float(unbiased)
                }
            }
        }
    }

    /// `y = (x − mean)·(1/σ)·w + b` per channel.
    func normalize(input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
                   statistics: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>?,
                   bias: UnsafeMutablePointer<Float>?) {
        let (batch, channels, inner) = (self.batch, self.channels, self.inner)
        parallelFor(channels, grain: grain) { range in
            for c in range {
                let scale = statistics[channels + c] * (weight?[c] ?? 1)
                let offset = (bias?[c] ?? 0) - statistics[c] * scale
                let s = Lanes(repeating: scale), o = Lanes(repeating: offset)
                for n in 0..<batch {
                    let start = (n * channels + c) * inner
                    let x = input + start, y = output + start
                    var j = 0
                    while j + 8 <= inner {
                        RowVector.store(RowVector.load(x + j) * s + o, y + j)
                        j += 8
                    }
                    while j < inner { y[j] = x[j] * scale + offset; j += 1 }
                }
            }
        }
    }

    /// Gradients from the upstream `gradient`: `dbias = Σ g`, `dweight = Σ g·x̂`, and
    /// `dx = w/σ · (g − Σg/M − x̂·Σ(g·x̂)/M)` through the batch statistics (training) or
    /// `dx = w/σ · g` with fixed statistics (evaluation). `M = N·inner`.
    func backward(input: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                  statistics: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>?, throughStatistics: Bool,
                  gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?,
                  gradBias: UnsafeMutablePointer<Float>?) {
        let (batch, channels, inner) = (self.batch, self.channels, self.inner)
        let inverseCount = 1 / Float(batch * inner)
        let needSums = gradWeight != nil || gradBias != nil || throughStatistics
        parallelFor(channels, grain: grain) { range in
            for c in range {
                let mean = statistics[c], rstd = statistics[channels + c]
                var sumG = 0.0, sumGX = 0.0
                if needSums {
                    let m = Lanes(repeating: mean)
                    for n in 0..<batch {
                        let start = (n * channels + c) * inner
                        let x = input + start, g = gradient + start
                        var accG = Lanes(), accGX = Lanes()
                        var tailG: Float = 0, tailGX: Float = 0
                        var j = 0
                        while j + 8 <= inner {
                            let gv = RowVector.load(g + j)
                            accG += gv
                            accGX.addProduct(gv, RowVector.load(x + j) - m)
                            j += 8
                        }
                        while j < inner { tailG += g[j]; tailGX += g[j] * (x[j] - mean); j += 1 }
                        sumG += Double(accG.sum() + tailG)
                        sumGX += Double(accGX.sum() + tailGX)
                    }
                }
                // Σ g·x̂ = (1/σ) Σ g·(x − mean)
                let sumGXhat = Float(sumGX) * rstd
                gradWeight?[c] = sumGXhat
                gradBias?[c] = Float(sumG)
                guard let gradInput else { continue }
                let scale = rstd * (weight?[c] ?? 1)
                for n in 0..<batch {
                    let start = (n * channels + c) * inner
                    let x = input + start, g = gradient + start, dx = gradInput + start
                    if throughStatistics {
                        // dx = scale·(g − meanG − (x − mean)·rstd·meanGXhat)
                        let meanG = Float(sumG) * inverseCount
                        let slope = rstd * sumGXhat * inverseCount
                        let s = Lanes(repeating: scale), a = Lanes(repeating: meanG)
                        let k = Lanes(repeating: slope), m = Lanes(repeating: mean)
                        var j = 0
                        while j + 8 <= inner {
                            let v = RowVector.load(g + j) - a - (RowVector.load(x + j) - m) * k
                            RowVector.store(s * v, dx + j)
                            j += 8
                        }
                        while j < inner { dx[j] = scale * (g[j] - meanG - (x[j] - mean) * slope); j += 1 }
                    } else {
                        let s = Lanes(repeating: scale)
                        var j = 0
                        while j + 8 <= inner { RowVector.store(s * RowVector.load(g + j), dx + j); j += 8 }
                        while j < inner { dx[j] = scale * g[j]; j += 1 }
                    }
                }
            }
        }
    }
}
