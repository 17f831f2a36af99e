/// Dropout and stochastic depth (drop path), the two random regularisers of SwinV2 training.
/// Both scale what they keep so that the expected value is unchanged, and both are the identity
/// outside training or at probability 0.
extension Tensor {
    /// Zeroes each element independently with probability `p` and scales the rest by 1/(1 − p)
    /// (inverted dropout, `torch.nn.functional.dropout`), any shape. Returns this tensor itself
    /// when `training` is false or `p` is 0.
    ///
    /// The mask depends only on the generator's state — not on the thread count — and the
    /// generator advances by one step per call (its output seeds a counter-based hash, so the
    /// mask is drawn in parallel). The mask is kept as bits for
    /// backward, which passes the gradient where an element was kept, times 1/(1 − p).
    public func dropout(probability p: Float, training: Bool, using generator: inout RandomGenerator) -> Tensor {
        guard p >= 0 && p <= 1 else { EngineError.fail("dropout", "probability \(p) is outside [0, 1]") }
        guard training && p > 0 else { return self }
        let mask = DropoutMask(count: count, dropProbability: p, seed: generator.next())
        let scale: Float = p == 1 ? 0 : 1 / (1 - p)
        let out = Tensor(uninitializedShape: shape)
        mask.apply(to: data, scale: scale, into: out.data)
        if Tape.needsRecording(self) {
            let slot = gradientSlot
            Tape.record(out) { g in
                let result = Tensor(uninitializedShape: g.shape)
                mask.apply(to: g.data, scale: scale, into: result.data)
                slot.accumulateGrad(owned: result)
            }
        }
        return out
    }

    /// Stochastic depth as timm's `DropPath`: for each sample along the first axis (`[B, …]`),
    /// zeroes the whole sample with probability `p` and scales kept samples by 1/(1 − p). Returns
    /// this tensor itself when `training` is false or `p` is 0; at `p` = 1 everything is dropped.
    ///
    /// Draws one uniform number per sample from `generator`, in sample order.
    public func dropPath(probability p: Float, training: Bool, using generator: inout RandomGenerator) -> Tensor {
        guard p >= 0 && p <= 1 else { EngineError.fail("dropPath", "probability \(p) is outside [0, 1]") }
        guard training && p > 0 else { return self }
        guard rank >= 1 else { EngineError.fail("dropPath", "needs a batch axis, got a scalar") }
        let scales = Tensor.dropPathScales(samples: shape[0], probability: p, using: &generator)
        let out = scaleSamples(self, by: scales)
        if Tape.needsRecording(self) {
            let slot = gradientSlot
            Tape.record(out) { g in slot.accumulateGrad(owned: scaleSamples(g, by: scales)) }
        }
        return out
    }
}

extension Tensor {
    /// The per-sample factors of ``dropPath(probability:training:using:)``: 0 for a dropped sample
    /// (probability `p`), 1/(1 − p) for a kept one — one uniform number drawn per sample, in order,
    /// so an op that applies them itself (``addingLayerNorm(of:weight:bias:epsilon:sampleScales:)``)
    /// draws exactly what `dropPath` would.
    public static func dropPathScales(samples: Int, probability p: Float, using generator: inout RandomGenerator) -> [Float] {
        let keep = 1 - p
        return (0..<samples).map { _ in generator.nextUniform() < keep ? 1 / keep : 0 }
    }
}

/// `x[b, …] · scales[b]` for every sample b along the first axis.
private func scaleSamples(_ x: Tensor, by scales: [Float]) -> Tensor {
    let out = Tensor(uninitializedShape: x.shape)
    let samples = scales.count
    guard samples > 0, x.count > 0 else { return out }
    let sampleSize = x.count / samples
    let input = x.data, output = out.data
    scales.withUnsafeBufferPointer { scales in
        parallelFor(x.count, grain: vectorGrain) { range in
            var start = range.lowerBound
            while start < range.upperBound {
                let sample = start / sampleSize
                let end = Swift.min(range.upperBound, (sample + 1) * sampleSize)
                let factor = SIMD8<Float>(repeating: scales[sample])
                vectorMap(input, output, start..<end) { $0 * factor }
                start = end
            }
        }
    }
    return out
}

/// Which elements a dropout call kept: one bit per element. Element pair j draws the 64-bit
/// SplitMix64 hash of (seed, j) — a counter-based generator, so any range of the mask can be
/// drawn independently, in parallel, with the same result.
final class DropoutMask: @unchecked Sendable {
    let count: Int
    let words: UnsafeMutableBufferPointer<UInt64>

    /// A mask keeping each of `count` elements with probability 1 − `dropProbability`.
    init(count: Int, dropProbability: Float, seed: UInt64) {
        self.count = count
        let wordCount = (count + 63) / 64
        words = .allocate(capacity: Swift.max(wordCount, 1))
        // An element is kept when a 32-bit uniform integer reaches the threshold.
        let threshold = UInt64((Double(dropProbability) * 4_294_967_296).rounded())
        let base = words.baseAddress!
        parallelFor(wordCount, grain: 256) { range in
            for word in range {
                var bits: UInt64 = 0
                for pair in 0..<32 {
                    let random = Self.hash(seed, UInt64(word * 32 + pair))
                    let low = random & 0xFFFF_FFFF, high = random >> 32
                    bits |= (low >= threshold ? 1 : 0) << UInt64(2 * pair)
                    bits |= (high >= threshold ? 1 : 0) << UInt64(2 * pair + 1)
                }
                base[word] = bits
            }
        }
    }

    /// SplitMix64's output function applied to the `index`-th state after `seed`.
    @inline(__always)
    static func hash(_ seed: UInt64, _ index: UInt64) -> UInt64 {
        var z = seed &+ (index &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    deinit {
        words.deallocate()
    }

    /// `output[i] = kept(i) ? input[i] · scale : 0` over all elements, in parallel.
    func apply(to input: UnsafeMutablePointer<Float>, scale: Float, into output: UnsafeMutablePointer<Float>) {
        let words = self.words.baseAddress!, count = self.count
        // Lane k moves bit k of a byte to the sign bit; an arithmetic shift then spreads it to a
        // full-lane mask (integer lane comparisons compile to scalar code here).
        let toSignBit = SIMD8<Int32>(31, 30, 29, 28, 27, 26, 25, 24)
        let factor = SIMD8<Float>(repeating: scale)
        let wordCount = (count + 63) / 64
        parallelFor(wordCount, grain: vectorGrain / 64) { range in
            for word in range {
                let bits = words[word]
                let start = word * 64
                if start + 64 <= count {
                    for group in 0..<8 {
                        let byte = Int32(truncatingIfNeeded: bits >> UInt64(8 * group)) & 0xFF
                        let kept = (SIMD8<Int32>(repeating: byte) &<< toSignBit) &>> 31
                        let offset = start + 8 * group
                        let scaled = unsafeBitCast(loadVector(input + offset) * factor, to: SIMD8<Int32>.self)
                        storeVector(unsafeBitCast(scaled & kept, to: SIMD8<Float>.self), output + offset)
                    }
                } else {
                    for i in start..<count {
                        output[i] = (bits >> UInt64(i - start)) & 1 == 1 ? input[i] * scale : 0
                    }
                }
            }
        }
    }
}
