/// Element-wise regression losses between a prediction and a target of the same shape, averaged
/// over all elements (PyTorch's `reduction="mean"`). Both arguments are differentiable.
extension Tensor {
    /// mean |prediction − target|. The gradient is sign(prediction − target)/n, 0 where they are equal.
    public static func l1Loss(_ prediction: Tensor, target: Tensor) -> Tensor {
        regressionLoss(prediction, target, op: "l1Loss",
                       term: { VectorMath.abs($0) },
                       derivative: { difference, g in signTimes(difference, g) })
    }

    /// mean (prediction − target)². The gradient is 2(prediction − target)/n.
    public static func mseLoss(_ prediction: Tensor, target: Tensor) -> Tensor {
        regressionLoss(prediction, target, op: "mseLoss",
                       term: { $0 * $0 },
                       derivative: { difference, g in 2 * difference * g })
    }

    /// mean term(p − t), with gradient ±derivative(p − t, g/n) to p and t.
    @inline(__always)
    private static func regressionLoss(_ prediction: Tensor, _ target: Tensor, op: String,
                                       term: (SIMD8<Float>) -> SIMD8<Float>,
                                       derivative: @escaping (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>) -> Tensor {
        guard prediction.shape == target.shape else {
            EngineError.shapeMismatch(op, prediction.shape, target.shape, "prediction and target must have the same shape")
        }
        let n = prediction.count
        let p = prediction.data, t = target.data
        // Fixed blocks summed in order, so the value does not depend on the thread count.
        let blockSize = 1 << 14
        let total = sumOverRows((n + blockSize - 1) / blockSize, width: blockSize) { block in
            let start = block * blockSize, end = Swift.min(n, start + blockSize)
            var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
            var i = start
            while i + 16 <= end {
                s0 += term(loadVector(p + i) - loadVector(t + i))
                s1 += term(loadVector(p + i + 8) - loadVector(t + i + 8))
                i += 16
            }
            while i + 8 <= end {
                s0 += term(loadVector(p + i) - loadVector(t + i))
                i += 8
            }
            if i < end {
                s1 += term(loadPartialVector(p + i, count: end - i, padding: 0) - loadPartialVector(t + i, count: end - i, padding: 0))
            }
            return Double(horizontalSum(s0 + s1))
        }
        let out = Tensor(scalar: Float(total / Double(n)))
        if Tape.needsRecording(prediction, target) {
            Tape.record(out) { g in
                let factor = SIMD8<Float>(repeating: g.item / Float(n))
                let result = Tensor(uninitializedShape: prediction.shape)
                let p = prediction.data, t = target.data, gp = result.data
                parallelFor(n, grain: vectorGrain) { range in
                    var i = range.lowerBound
                    while i + 8 <= range.upperBound {
                        storeVector(derivative(loadVector(p + i) - loadVector(t + i), factor), gp + i)
                        i += 8
                    }
                    if i < range.upperBound {
                        let rest = range.upperBound - i
                        let difference = loadPartialVector(p + i, count: rest, padding: 0) - loadPartialVector(t + i, count: rest, padding: 0)
                        storePartialVector(derivative(difference, factor), gp + i, count: rest)
                    }
                }
                if target.requiresGrad {
                    target.accumulateGrad(owned: vectorMapElements(result) { -$0 })
                }
                prediction.accumulateGrad(owned: result)
            }
        }
        return out
    }
}
