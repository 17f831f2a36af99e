extension Tensor {
    /// A post-norm residual step, `self + s_b · layerNorm(y)` (SwinV2's
    /// `x + drop_path(norm(branch))`): `self` and `y` `[B, ..., C]`, `weight` and `bias` `[C]`, and
    /// `sampleScales` (`[B]`, from ``dropPathScales(samples:probability:using:)``) the drop-path
    /// factor of each sample, or nil for 1.
    ///
    /// The same values and gradients as `self + y.layerNorm(…).dropPath(…)` composed, in one pass
    /// over the rows each way: forward reads `y` and `self` and writes the sum (the composed ops
    /// also write and re-read the normalised rows and their scaled copy); backward reads the
    /// gradient once, hands it to `self` and runs the norm's backward on its scaled rows in L1.
    public func addingLayerNorm(of y: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5,
                                sampleScales: [Float]? = nil) -> Tensor {
        let op = "addingLayerNorm"
        guard shape == y.shape else {
            EngineError.shapeMismatch(op, shape, y.shape, "the residual and the normalised branch must have one shape")
        }
        let channels = layerNormChannels(op, weight: weight, bias: bias)
        if let sampleScales, rank < 2 || sampleScales.count != shape[0] {
            EngineError.fail(op, "needs one sample scale per sample along the first axis (\(rank >= 2 ? shape[0] : 0)), got \(sampleScales.count)")
        }
        if self === y {
            // One tensor in both roles: its two gradients must add up, which the composed ops do.
            var normalized = y.layerNorm(weight: weight, bias: bias, epsilon: epsilon)
            if let sampleScales { normalized = normalized * Tensor(shape: [shape[0]] + [Int](repeating: 1, count: rank - 1), values: sampleScales) }
            return self + normalized
        }
        let rows = count / channels
        let rowsPerSample = sampleScales.map { count / $0.count / channels } ?? 1
        let out = Tensor(uninitializedShape: shape)
        let parameters = [weight, bias].compactMap { $0 }
        let recording = Tape.needsRecording([self, y] + parameters)
        let statistics = recording ? Tensor(uninitializedShape: [2, rows]) : nil
        let scales = sampleScales ?? []
        scales.withUnsafeBufferPointer { scalePointer in
            LayerNormKernel.forward(input: y.data, output: out.data, rows: rows, channels: channels,
                                    weight: weight?.data, bias: bias?.data, epsilon: epsilon,
                                    statistics: statistics?.data, residual: UnsafePointer(data),
                                    sampleScales: sampleScales == nil ? nil : scalePointer.baseAddress, rowsPerSample: rowsPerSample)
        }
        if recording, let statistics {
            Tape.record(out) { g in
                let needWeight = weight?.requiresGrad ?? false
                let needBias = bias?.requiresGrad ?? false
                // Either input may already hold a gradient (a residual stream's): add into it.
                let existingResidual = self.requiresGrad && !self.isLeaf ? self.grad : nil
                let gradResidual = self.requiresGrad && existingResidual == nil ? Tensor(uninitializedShape: self.shape) : nil
                let existingBranch = y.requiresGrad && !y.isLeaf ? y.grad : nil
                let gradBranch = y.requiresGrad && existingBranch == nil ? Tensor(uninitializedShape: y.shape) : nil
                let gradWeight = needWeight ? Tensor(uninitializedShape: [channels]) : nil
                let gradBias = needBias ? Tensor(uninitializedShape: [channels]) : nil
                scales.withUnsafeBufferPointer { scalePointer in
                    LayerNormKernel.backward(input: y.data, gradient: g.data, rows: rows, channels: channels,
                                             weight: weight?.data, statistics: statistics.data,
                                             gradInput: (existingBranch ?? gradBranch)?.data, accumulate: existingBranch != nil,
                                             gradWeight: gradWeight?.data, gradBias: gradBias?.data,
                                             sampleScales: sampleScales == nil ? nil : scalePointer.baseAddress,
                                             rowsPerSample: rowsPerSample,
                                             gradResidual: (existingResidual ?? gradResidual)?.data,
                                             accumulateResidual: existingResidual != nil)
                }
                if let gradResidual { self.accumulateGrad(owned: gradResidual) }
                if let gradBranch { y.accumulateGrad(owned: gradBranch) }
                if let weight, let gradWeight { weight.accumulateGrad(owned: gradWeight) }
                if let bias, let gradBias { bias.accumulateGrad(owned: gradBias) }
            }
        }
        return out
    }
}
