extension Tensor {
    /// The exact Gaussian error linear unit x·Φ(x) = ½x(1 + erf(x/√2)) element-wise, any shape:
    /// PyTorch's default `nn.GELU()` (not the tanh approximation). Used by the transformer MLPs
    /// on `[B, L, 4C]`, where it is memory-bound, so forward and backward are one vectorised
    /// pass each over the input. Φ comes from ``VectorMath/normalCDFRational(_:)`` (absolute
    /// error ≤ 2e-7, one division, no exponential), which keeps the forward pass near memory speed.
    public func gelu() -> Tensor {
        return OpProfiler.measure(.elementwise) {
            let out = Tensor(uninitializedShape: shape)
            let input = data, output = out.data
            // The loops are spelled out (no lane closure) so that the whole body is inlined: the
            // optimiser leaves large closures and helper functions as calls, which halves the speed.
            parallelFor(count, grain: vectorGrain) { range in
                var i = range.lowerBound
                while i + 16 <= range.upperBound {
                    let a = loadVector(input + i), b = loadVector(input + i + 8)
                    storeVector(VectorMath.gelu(a), output + i)
                    storeVector(VectorMath.gelu(b), output + i + 8)
                    i += 16
                }
                while i < range.upperBound {
                    let rest = Swift.min(8, range.upperBound - i)
                    let a = loadPartialVector(input + i, count: rest, padding: 0)
                    storePartialVector(VectorMath.gelu(a), output + i, count: rest)
                    i += rest
                }
            }
            if Tape.needsRecording(self) {
                Tape.record(out) { g in self.accumulateGrad(owned: geluBackward(input: self, gradient: g)) }
            }
            return out
        }
    }
}

/// The input gradient of GELU, g·(Φ(x) + x·φ(x)) with φ(x) = e^{−x²/2}/√(2π), computed from x
/// and g in one pass.
func geluBackward(input: Tensor, gradient: Tensor) -> Tensor {
    return OpProfiler.measure(.elementwise) {
        let result = Tensor(uninitializedShape: input.shape)
        let x = input.data, g = gradient.data, gx = result.data
        parallelFor(input.count, grain: vectorGrain) { range in
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                storeVector(geluGradient(loadVector(x + i), loadVector(g + i)), gx + i)
                i += 8
            }
            if i < range.upperBound {
                let rest = range.upperBound - i
                let value = geluGradient(loadPartialVector(x + i, count: rest, padding: 0),
                                         loadPartialVector(g + i, count: rest, padding: 0))
                storePartialVector(value, gx + i, count: rest)
            }
        }
        return result
    }
}

/// g·(Φ(x) + x·φ(x)) lane by lane.
@_transparent
@usableFromInline
func geluGradient(_ x: SIMD8<Float>, _ g: SIMD8<Float>) -> SIMD8<Float> {
    let density = VectorMath.expOfNonPositive(-0.5 * x * x) * 0.398_942_280_401_432_678
    return g * VectorMath.normalCDFRational(x).addingProduct(x, density)
}
