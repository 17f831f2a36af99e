/// Element-wise mathematical functions, any shape, output shaped like the input. Each backward
/// reads what it needs (the input or the saved output) and the incoming gradient in one pass.
extension Tensor {
    /// eˣ element-wise.
    public func exp() -> Tensor {
        let out = vectorMapElements(self, expLanes)
        if Tape.needsRecording(self) {
            // d eˣ = eˣ: the saved output is the derivative.
            Tape.record(out) { g in self.accumulateGrad(owned: vectorZipElements(out, g) { y, g in y * g }) }
        }
        return out
    }

    /// The natural logarithm element-wise (−∞ at 0, NaN below 0).
    public func log() -> Tensor {
        let out = vectorMapElements(self, logLanes)
        if Tape.needsRecording(self) {
            Tape.record(out) { g in self.accumulateGrad(owned: vectorZipElements(self, g) { x, g in g / x }) }
        }
        return out
    }

    /// √x element-wise (NaN below 0).
    public func sqrt() -> Tensor {
        let out = vectorMapElements(self) { $0.squareRoot() }
        if Tape.needsRecording(self) {
            // d√x = 1/(2√x), from the saved output; ∞ at 0 as in PyTorch.
            Tape.record(out) { g in self.accumulateGrad(owned: vectorZipElements(out, g) { y, g in g / (y + y) }) }
        }
        return out
    }

    /// xᵖ element-wise for a constant exponent `p`, with PyTorch's conventions: negative bases
    /// work for integral exponents and give NaN otherwise, `x⁰ = 1` everywhere. Integral exponents
    /// up to ±64 multiply (by repeated squaring), ½ is `sqrt`; others go through exp(p·log|x|)
    /// (relative error about 1e-6 for moderate results).
    public func pow(_ exponent: Float) -> Tensor {
        let out = vectorMapElements(self) { powerLanes($0, exponent) }
        if Tape.needsRecording(self) {
            // d xᵖ = p·xᵖ⁻¹, recomputed from x in the same pass as the product with g.
            Tape.record(out) { g in
                self.accumulateGrad(owned: vectorZipElements(self, g) { x, g in exponent * g * powerLanes(x, exponent - 1) })
            }
        }
        return out
    }

    /// |x| element-wise. Its gradient is sign(x), 0 at 0 (as in PyTorch).
    public func abs() -> Tensor {
        let out = vectorMapElements(self) { VectorMath.abs($0) }
        if Tape.needsRecording(self) {
            Tape.record(out) { g in self.accumulateGrad(owned: vectorZipElements(self, g) { x, g in signTimes(x, g) }) }
        }
        return out
    }
}

// Named always-inline functions rather than closures, so that the vector loops inline them.
@inline(__always) private func expLanes(_ x: SIMD8<Float>) -> SIMD8<Float> { VectorMath.exp(x) }
@inline(__always) private func logLanes(_ x: SIMD8<Float>) -> SIMD8<Float> { VectorMath.log(x) }

/// xᵖ lane by lane; `exponent` is the same for every call of a kernel, so its branches predict.
@inline(__always)
func powerLanes(_ x: SIMD8<Float>, _ exponent: Float) -> SIMD8<Float> {
    switch exponent {
    case 0: return SIMD8(repeating: 1)
    case 1: return x
    case 2: return x * x
    case 0.5: return x.squareRoot()
    case -1: return 1 / x
    case _ where exponent.rounded(.towardZero) == exponent && Swift.abs(exponent) <= 64:
        var remaining = Int(Swift.abs(exponent)), square = x, product = SIMD8<Float>(repeating: 1)
        while remaining > 0 {
            if remaining & 1 == 1 { product *= square }
            square *= square
            remaining >>= 1
        }
        return exponent < 0 ? 1 / product : product
    default:
        let magnitude = VectorMath.exp(exponent * VectorMath.log(VectorMath.abs(x)))
        let negative = x .< 0
        if exponent.rounded(.towardZero) == exponent {
            // An odd integral exponent keeps the sign of the base.
            let odd = Swift.abs(exponent) < 16_777_216 && Int64(exponent) % 2 != 0
            return odd ? magnitude.replacing(with: -magnitude, where: negative) : magnitude
        }
        return magnitude.replacing(with: .nan, where: negative)
    }
}

/// sign(x)·g lane by lane, with sign(0) = 0.
@inline(__always)
func signTimes(_ x: SIMD8<Float>, _ g: SIMD8<Float>) -> SIMD8<Float> {
    var result = g.replacing(with: -g, where: x .< 0)
    result = result.replacing(with: 0, where: x .== 0)
    return result
}
