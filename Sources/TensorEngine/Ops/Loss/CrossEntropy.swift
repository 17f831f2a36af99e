/// Classification losses on logits `[N, C]`, fused: one log-sum-exp per row in forward, and
/// `(softmax − target)/N` in backward, recomputing the softmax from the logits and the saved
/// log-sum-exps (kept as max and log Σ exp(x − max) per row, which round less than their sum). Both follow `torch.nn.functional.cross_entropy` with the mean over rows.
extension Tensor {
    /// The mean over rows of −Σ_c q_c · log softmax(logits)_c with the smoothed target
    /// q = (1 − ε)·onehot(label) + ε/C (ε = `labelSmoothing`), as PyTorch's `label_smoothing`.
    /// `labels` holds one class index in `0..<C` per row. Differentiable in `logits`.
    public static func crossEntropy(logits: Tensor, labels: [Int32], labelSmoothing: Float = 0) -> Tensor {
        return OpProfiler.measure(.loss) {
            let (rows, classes) = logits.checkedLogitsShape(op: "crossEntropy")
            guard labels.count == rows else {
                EngineError.shapeMismatch("crossEntropy", logits.shape, [labels.count], "expected one label per row of logits")
            }
            guard labelSmoothing >= 0 && labelSmoothing <= 1 else {
                EngineError.fail("crossEntropy", "label smoothing \(labelSmoothing) is outside [0, 1]")
            }
            for (row, label) in labels.enumerated() where label < 0 || Int(label) >= classes {
                EngineError.fail("crossEntropy", "label \(label) of row \(row) is outside 0..<\(classes) (C = \(classes) classes)")
            }
            let smoothing = labelSmoothing, onTarget = 1 - labelSmoothing, spread = labelSmoothing / Float(classes)
            let logSumExps = RowStatistics(count: 2 * rows)
            let x = logits.data, lse = logSumExps.values.baseAddress!
            let total = labels.withUnsafeBufferPointer { labels in
                sumOverRows(rows, width: classes) { row in
                    let logit = x + row * classes
                    let (maximum, logSum) = rowLogSumExp(logit, width: classes)
                    lse[2 * row] = maximum
                    lse[2 * row + 1] = logSum
                    // −Σ q_c (x_c − lse) = (1 − ε)·(lse − x_label) + (ε/C)·Σ (lse − x_c), lse = max + logSum
                    var loss = onTarget * ((maximum - logit[Int(labels[row])]) + logSum)
                    if smoothing > 0 {
                        loss += smoothing * ((maximum + logSum) - vectorSum(logit, count: classes) / Float(classes))
                    }
                    return Double(loss)
                }
            }
            let out = Tensor(scalar: Float(total / Double(rows)))
            if Tape.needsRecording(logits) {
                Tape.record(out) { g in
                    let scale = g.item / Float(rows)
                    let result = Tensor(uninitializedShape: logits.shape)
                    let x = logits.data, gx = result.data, lse = logSumExps.values.baseAddress!
                    labels.withUnsafeBufferPointer { labels in
                        parallelFor(rows, grain: rowGrain(width: classes)) { range in
                            for row in range {
                                let offset = row * classes
                                let shift = SIMD8<Float>(repeating: lse[2 * row]), logSum = SIMD8<Float>(repeating: lse[2 * row + 1])
                                let factor = SIMD8<Float>(repeating: scale)
                                vectorMap(x + offset, gx + offset, 0..<classes) {
                                    (VectorMath.exp(($0 - shift) - logSum) - spread) * factor
                                }
                                gx[offset + Int(labels[row])] -= onTarget * scale
                            }
                        }
                    }
                    logits.accumulateGrad(owned: result)
                }
            }
            return out
        }
    }

    /// The mean over rows of −Σ_c t_c · log softmax(logits)_c for probability targets
    /// `softTargets` `[N, C]` (mixup / cutmix labels), as PyTorch's cross-entropy with class
    /// probabilities. Differentiable in both logits and targets.
    public static func crossEntropy(logits: Tensor, softTargets: Tensor) -> Tensor {
        let (rows, classes) = logits.checkedLogitsShape(op: "crossEntropy")
        guard softTargets.shape == logits.shape else {
            EngineError.shapeMismatch("crossEntropy", logits.shape, softTargets.shape, "soft targets must have the logits' shape")
        }
        let logSumExps = RowStatistics(count: 2 * rows)
        let x = logits.data, t = softTargets.data, lse = logSumExps.values.baseAddress!
        let total = sumOverRows(rows, width: classes) { row in
            let offset = row * classes
            let (maximum, logSum) = rowLogSumExp(x + offset, width: classes)
            lse[2 * row] = maximum
            lse[2 * row + 1] = logSum
            // −Σ t_c (x_c − lse) = Σ t_c ((max − x_c) + logSum)
            let shift = SIMD8<Float>(repeating: maximum), offsetLogSum = SIMD8<Float>(repeating: logSum)
            var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
            var j = 0
            while j + 8 <= classes {
                s0 = s0.addingProduct(loadVector(t + offset + j), (shift - loadVector(x + offset + j)) + offsetLogSum)
                j += 8
            }
            if j < classes {
                let rest = classes - j
                s1 = s1.addingProduct(loadPartialVector(t + offset + j, count: rest, padding: 0),
                                      (shift - loadPartialVector(x + offset + j, count: rest, padding: 0)) + offsetLogSum)
            }
            return Double(horizontalSum(s0 + s1))
        }
        let out = Tensor(scalar: Float(total / Double(rows)))
        if Tape.needsRecording(logits, softTargets) {
            Tape.record(out) { g in
                let factor = SIMD8<Float>(repeating: g.item / Float(rows))
                let x = logits.data, t = softTargets.data, lse = logSumExps.values.baseAddress!
                if logits.requiresGrad {
                    let result = Tensor(uninitializedShape: logits.shape)
                    let gx = result.data
                    parallelFor(rows, grain: rowGrain(width: classes)) { range in
                        for row in range {
                            let offset = row * classes
                            let shift = SIMD8<Float>(repeating: lse[2 * row]), logSum = SIMD8<Float>(repeating: lse[2 * row + 1])
                            let mass = SIMD8<Float>(repeating: vectorSum(t + offset, count: classes))
                            vectorZip(x + offset, t + offset, gx + offset, 0..<classes) { x, t in
                                (VectorMath.exp((x - shift) - logSum) * mass - t) * factor
                            }
                        }
                    }
                    logits.accumulateGrad(owned: result)
                }
                if softTargets.requiresGrad {
                    // ∂/∂t_c = (lse − x_c)/N
                    let result = Tensor(uninitializedShape: softTargets.shape)
                    let gt = result.data
                    parallelFor(rows, grain: rowGrain(width: classes)) { range in
                        for row in range {
                            let offset = row * classes
                            let shift = SIMD8<Float>(repeating: lse[2 * row]), logSum = SIMD8<Float>(repeating: lse[2 * row + 1])
                            vectorMap(x + offset, gt + offset, 0..<classes) { ((shift - $0) + logSum) * factor }
                        }
                    }
                    softTargets.accumulateGrad(owned: result)
                }
            }
        }
        return out
    }

    /// `(N, C)` of logits that must be `[N, C]` with C ≥ 1.
    func checkedLogitsShape(op: String) -> (rows: Int, classes: Int) {
        guard rank == 2, shape[1] >= 1 else {
            EngineError.fail(op, "logits must be [N, C] with C ≥ 1, got \(Shape.describe(shape))")
        }
        return (shape[0], shape[1])
    }
}

/// Σ over `rows` of `term(row)`, rows in parallel; the partial sums are added in row order so the
/// result does not depend on the thread count.
func sumOverRows(_ rows: Int, width: Int, _ term: (Int) -> Double) -> Double {
    let values = UnsafeMutableBufferPointer<Double>.allocate(capacity: Swift.max(rows, 1))
    defer { values.deallocate() }
    let base = values.baseAddress!
    parallelFor(rows, grain: rowGrain(width: width)) { range in
        for row in range { base[row] = term(row) }
    }
    var total = 0.0
    for row in 0..<rows { total += base[row] }
    return total
}
