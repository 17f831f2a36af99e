/// Matrix products: plain, batched over leading axes, and the `linear` layer's `x · Wᵀ + b`.
extension Tensor {
    /// The matrix product of the last two axes, `[..., M, K] · [..., K, N] → [..., M, N]`, with
    /// either operand optionally transposed in its last two axes.
    ///
    /// Leading (batch) axes must be equal, or `other` may be a plain matrix `[K, N]` shared by
    /// every batch entry (as a weight is). `scale` multiplies the product inside the GEMM
    /// (attention's 1/√d), which saves a pass over the result and another over its gradient.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false,
                       scale: Float = 1) -> Tensor {
        let op = "matmul"
        guard rank >= 2, other.rank >= 2 else {
            EngineError.shapeMismatch(op, shape, other.shape, "both operands need at least 2 axes")
        }
        let m = transposeSelf ? shape[rank - 1] : shape[rank - 2]
        let k = transposeSelf ? shape[rank - 2] : shape[rank - 1]
        let kOther = transposeOther ? other.shape[other.rank - 1] : other.shape[other.rank - 2]
        let n = transposeOther ? other.shape[other.rank - 2] : other.shape[other.rank - 1]
        guard k == kOther else {
            EngineError.shapeMismatch(op, shape, other.shape,
                                      "inner dimensions differ (\(k) vs \(kOther)\(transposeSelf || transposeOther ? ", after transposes" : ""))")
        }
        let batchShape = Array(shape.dropLast(2))
        let otherBatch = Array(other.shape.dropLast(2))
        guard otherBatch.isEmpty || otherBatch == batchShape else {
            EngineError.shapeMismatch(op, shape, other.shape, "batch axes differ")
        }
        let batch = Shape.elementCount(batchShape)
        let out = Tensor(uninitializedShape: batchShape + [m, n])
        let lda = shape[rank - 1], ldb = other.shape[other.rank - 1]
        if otherBatch.isEmpty && !transposeSelf {
            // A shared right operand: one tall GEMM over all batch rows.
            Gemm.multiply(transposeA: false, transposeB: transposeOther, m: batch * m, n: n, k: k, alpha: scale,
                          a: data, lda: lda, b: other.data, ldb: ldb, c: out.data, ldc: n)
        } else {
            Gemm.batched(batch: batch, transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
                         alpha: scale, a: data, lda: lda, strideA: m * k,
                         b: other.data, ldb: ldb, strideB: otherBatch.isEmpty ? 0 : k * n,
                         c: out.data, ldc: n, strideC: m * n)
        }
        if Tape.needsRecording(self, other) {
            Tape.record(out) { g in
                if self.requiresGrad {
                    // d self = g · op(other)ᵀ, laid out as self (transposed back if self was).
                    let product = g.matmul(other, transposeSelf: false, transposeOther: !transposeOther, scale: scale)
                    let gradSelf = transposeSelf ? product.transposedLastTwo() : product
                    self.accumulateGrad(owned: gradSelf)
                }
                if other.requiresGrad {
                    // d other = op(self)ᵀ · g, summed over batch entries when other is shared.
                    if otherBatch.isEmpty {
                        let rows = batch * m
                        let selfRows = transposeSelf ? self.transposedLastTwo().reshaped([rows, k]) : self.reshaped([rows, k])
                        let gRows = g.reshaped([rows, n])
                        let gradOther = transposeOther
                            ? gRows.matmul(selfRows, transposeSelf: true, scale: scale)
                            : selfRows.matmul(gRows, transposeSelf: true, scale: scale)
                        other.accumulateGrad(owned: gradOther)
                    } else {
                        let gradOther = transposeOther
                            ? g.matmul(self, transposeSelf: true, transposeOther: transposeSelf, scale: scale)
                            : self.matmul(g, transposeSelf: !transposeSelf, transposeOther: false, scale: scale)
                        other.accumulateGrad(owned: gradOther)
                    }
                }
            }
        }
        return out
    }

    /// The fully connected layer `x · Wᵀ + b`: `x` `[..., in]`, `weight` `[out, in]` (PyTorch's
    /// layout), `bias` `[out]` → `[..., out]`.
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        let op = "linear"
        guard rank >= 1, weight.rank == 2, shape[rank - 1] == weight.shape[1] else {
            EngineError.shapeMismatch(op, shape, weight.shape, "input features must equal weight.shape[1]")
        }
        let outFeatures = weight.shape[0], inFeatures = weight.shape[1]
        if let bias, bias.shape != [outFeatures] {
            EngineError.shapeMismatch(op, weight.shape, bias.shape, "bias must be [\(outFeatures)]")
        }
        let rows = count / max(inFeatures, 1)
        let out = Tensor(uninitializedShape: Array(shape.dropLast()) + [outFeatures])
        Gemm.multiply(transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures,
                      a: data, lda: inFeatures, b: weight.data, ldb: inFeatures,
                      c: out.data, ldc: outFeatures, rowBias: bias.map { UnsafePointer($0.data) })
        if Tape.needsRecording([self, weight] + (bias.map { [$0] } ?? [])) {
            Tape.record(out) { g in
                if self.requiresGrad { self.accumulateLinearInputGradient(g, weight: weight) }
                Tensor.accumulateLinearParameterGradients(g, input: self, weight: weight, bias: bias)
            }
        }
        return out
    }

    /// Adds `g · W` (`[rows, out]·[out, in]`) into this input's gradient: the input gradient of
    /// ``linear(weight:bias:)`` for the output gradient `g`.
    func accumulateLinearInputGradient(_ g: Tensor, weight: Tensor) {
        let outFeatures = weight.shape[0], inFeatures = weight.shape[1]
        let rows = count / max(inFeatures, 1)
        if let existing = grad, !isLeaf {
            // A residual stream's gradient is already there: the product adds into it (beta = 1)
            // instead of going through a temporary and a separate sum.
            Gemm.multiply(transposeA: false, transposeB: false, m: rows, n: inFeatures, k: outFeatures,
                          a: g.data, lda: outFeatures, b: weight.data, ldb: inFeatures,
                          beta: 1, c: existing.data, ldc: inFeatures)
        } else {
            let gradInput = Tensor(uninitializedShape: shape)
            Gemm.multiply(transposeA: false, transposeB: false, m: rows, n: inFeatures, k: outFeatures,
                          a: g.data, lda: outFeatures, b: weight.data, ldb: inFeatures,
                          c: gradInput.data, ldc: inFeatures)
            accumulateGrad(owned: gradInput)
        }
    }

    /// Adds `gᵀ · input` to the weight's gradient and `g` summed over rows to the bias's (those
    /// that want one): the parameter gradients of `input.linear(weight:bias:)` for the output
    /// gradient `g` `[..., out]`.
    static func accumulateLinearParameterGradients(_ g: Tensor, input: Tensor, weight: Tensor, bias: Tensor?) {
        let outFeatures = weight.shape[0], inFeatures = weight.shape[1]
        let rows = input.count / max(inFeatures, 1)
        let wantsBias = bias?.requiresGrad ?? false
        if weight.requiresGrad {
            // Accumulate straight into an existing gradient (beta = 1): no temporary. The bias
            // gradient, Σ g over the rows, comes out of the same product.
            let existing = weight.grad
            let target = existing ?? Tensor(uninitializedShape: weight.shape)
            let biasGradient = wantsBias ? Tensor(uninitializedShape: [outFeatures]) : nil
            Gemm.multiply(transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rows,
                          a: g.data, lda: outFeatures, b: input.data, ldb: inFeatures,
                          beta: existing == nil ? 0 : 1, c: target.data, ldc: inFeatures,
                          depthSumsOfA: biasGradient?.data)
            if existing == nil { weight.grad = target }
            if let bias, let biasGradient { bias.accumulateGrad(owned: biasGradient) }
        } else if let bias, wantsBias {
            bias.accumulateGrad(owned: g.summedToShape([outFeatures]))
        }
    }
}
