import Foundation
import Testing
import TensorEngine

/// The vectorised transcendental functions against Foundation's double-precision ones over dense
/// grids. Each test states the bound it holds and prints the worst error it saw.
@Suite struct VectorMathTests {
    /// The worst error of `approximate` against `reference` over `inputs`, where the error of one
    /// element is |a − e| / scale(e).
    static func worstError(_ inputs: [Float], _ approximate: (SIMD8<Float>) -> SIMD8<Float>,
                           _ reference: (Double) -> Double, scale: (Double) -> Double)
        -> (error: Double, input: Float, got: Float, expected: Double) {
        var worst: (error: Double, input: Float, got: Float, expected: Double) = (0, 0, 0, 0)
        var i = 0
        while i < inputs.count {
            var lanes = SIMD8<Float>(repeating: inputs[i])
            for lane in 0..<min(8, inputs.count - i) { lanes[lane] = inputs[i + lane] }
            let result = approximate(lanes)
            for lane in 0..<min(8, inputs.count - i) {
                let expected = reference(Double(lanes[lane]))
                let error = abs(Double(result[lane]) - expected) / scale(expected)
                if !(error <= worst.error) { worst = (error.isNaN ? .infinity : error, lanes[lane], result[lane], expected) }
            }
            i += 8
        }
        return worst
    }

    /// `count` evenly spaced floats over `[low, high]`.
    static func grid(_ low: Float, _ high: Float, count: Int) -> [Float] {
        (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
    }

    /// Floats spread log-uniformly over `[2^lowExponent, 2^highExponent]`, plus neighbours of 1.
    static func positiveGrid(_ lowExponent: Float, _ highExponent: Float, count: Int) -> [Float] {
        grid(lowExponent, highExponent, count: count).map { Float(Foundation.exp2(Double($0))) }
            + (-5_000...5_000).map { 1 + Float($0) * Float.ulpOfOne / 2 }
    }

    @Test func expIsWithinTwoTenMillionthsRelative() {
        let worst = Self.worstError(Self.grid(-87, 88, count: 4_000_001), VectorMath.exp, Foundation.exp) { $0 }
        print("exp on [-87, 88]: worst relative error \(worst.error) at \(worst.input)")
        #expect(worst.error <= 2e-7, "exp(\(worst.input)) = \(worst.got), expected \(worst.expected)")
        // Where results are subnormal the error is at most half a subnormal step more.
        let subnormal = Self.worstError(Self.grid(-104, -87, count: 200_001), VectorMath.exp, Foundation.exp) {
            $0 + Double(Float.leastNonzeroMagnitude) / (2e-7)
        }
        #expect(subnormal.error <= 2e-7, "exp(\(subnormal.input)) = \(subnormal.got), expected \(subnormal.expected)")
    }

    @Test func expSaturatesAndPropagatesNaN() {
        let inputs = SIMD8<Float>(-.infinity, -1000, -104, 88.73, 89, 1000, .infinity, .nan)
        let result = VectorMath.exp(inputs)
        for lane in 0..<3 { #expect(result[lane] == 0, "exp(\(inputs[lane])) = \(result[lane])") }
        for lane in 3..<7 { #expect(result[lane] == .infinity, "exp(\(inputs[lane])) = \(result[lane])") }
        #expect(result[7].isNaN)
        #expect(VectorMath.exp(SIMD8(repeating: 0)) == SIMD8(repeating: 1))
        #expect(VectorMath.exp(SIMD8(repeating: 88.72)).max() < .infinity)
    }

    @Test func logIsWithinOneTenMillionthScaled() {
        let worst = Self.worstError(Self.positiveGrid(-149, 127.99, count: 2_000_001), VectorMath.log, Foundation.log) {
            max(1, abs($0))
        }
        print("log over all positive floats: worst error / max(1, |log x|) \(worst.error) at \(worst.input)")
        #expect(worst.error <= 1e-7, "log(\(worst.input)) = \(worst.got), expected \(worst.expected)")
        let nearOne = Self.worstError(Self.grid(0.5, 2, count: 1_000_001), VectorMath.log, Foundation.log) {
            max(abs($0), 1e-30)
        }
        print("log on [0.5, 2]: worst relative error \(nearOne.error) at \(nearOne.input)")
        #expect(nearOne.error <= 3e-7, "log(\(nearOne.input)) = \(nearOne.got), expected \(nearOne.expected)")
    }

    @Test func logEdgeCases() {
        let result = VectorMath.log(SIMD8<Float>(0, -0.0, -1, .infinity, .nan, 1, Float.leastNonzeroMagnitude, .greatestFiniteMagnitude))
        #expect(result[0] == -.infinity && result[1] == -.infinity)
        #expect(result[2].isNaN && result[4].isNaN)
        #expect(result[3] == .infinity)
        #expect(result[5] == 0)
        #expect(abs(result[6] - -103.278_93) < 1e-4)
        #expect(abs(result[7] - 88.722_84) < 1e-4)
    }

    @Test func erfIsWithinOneTenMillionthAbsolute() {
        let worst = Self.worstError(Self.grid(-6, 6, count: 2_000_001), VectorMath.erf, Foundation.erf) { _ in 1 }
        print("erf on [-6, 6]: worst absolute error \(worst.error) at \(worst.input)")
        #expect(worst.error <= 1e-7, "erf(\(worst.input)) = \(worst.got), expected \(worst.expected)")
        let small = Self.worstError(Self.positiveGrid(-60, 0, count: 200_001).filter { $0 <= 1 }, VectorMath.erf, Foundation.erf) { $0 }
        print("erf on (0, 1]: worst relative error \(small.error) at \(small.input)")
        #expect(small.error <= 3e-7, "erf(\(small.input)) = \(small.got), expected \(small.expected)")
        let ends = VectorMath.erf(SIMD8<Float>(-.infinity, -100, 100, .infinity, 0, -0.0, .nan, 4))
        #expect(ends[0] == -1 && ends[1] == -1 && ends[2] == 1 && ends[3] == 1 && ends[4] == 0 && ends[5] == 0)
        #expect(ends[6].isNaN && ends[7] == 1)
    }

    @Test func normalCDFIsWithinOneTenMillionthAbsolute() {
        let phi: (Double) -> Double = { 0.5 * Foundation.erfc(-$0 / 2.0.squareRoot()) }
        let worst = Self.worstError(Self.grid(-12, 12, count: 2_000_001), VectorMath.normalCDF, phi) { _ in 1 }
        print("Φ on [-12, 12]: worst absolute error \(worst.error) at \(worst.input)")
        #expect(worst.error <= 1e-7, "Φ(\(worst.input)) = \(worst.got), expected \(worst.expected)")
        // In the lower tail it stays relatively accurate down to where it flushes to 0.
        let tail = Self.worstError(Self.grid(-5.6, -1, count: 100_001), VectorMath.normalCDF, phi) { $0 }
        print("Φ on [-5.6, -1]: worst relative error \(tail.error) at \(tail.input)")
        #expect(tail.error <= 5e-6, "Φ(\(tail.input)) = \(tail.got), expected \(tail.expected)")
    }

    @Test func tanhAndSigmoidAreWithinThreeTenMillionthsRelative() {
        let tanh = Self.worstError(Self.grid(-20, 20, count: 2_000_000) + Self.positiveGrid(-40, 0, count: 100_001),
                                   VectorMath.tanh, Foundation.tanh) { max(abs($0), 1e-38) }
        print("tanh on [-20, 20]: worst relative error \(tanh.error) at \(tanh.input)")
        #expect(tanh.error <= 3e-7, "tanh(\(tanh.input)) = \(tanh.got), expected \(tanh.expected)")
        let sigmoid = Self.worstError(Self.grid(-87, 87, count: 2_000_001), VectorMath.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }) { $0 }
        print("sigmoid on [-87, 87]: worst relative error \(sigmoid.error) at \(sigmoid.input)")
        #expect(sigmoid.error <= 3e-7, "sigmoid(\(sigmoid.input)) = \(sigmoid.got), expected \(sigmoid.expected)")
        let ends = VectorMath.tanh(SIMD8<Float>(-.infinity, -50, 50, .infinity, 0, -0.0, .nan, 1e-30))
        #expect(ends[0] == -1 && ends[1] == -1 && ends[2] == 1 && ends[3] == 1 && ends[4] == 0 && ends[5] == 0)
        #expect(ends[6].isNaN && ends[7] == 1e-30)
        let sigmoidEnds = VectorMath.sigmoid(SIMD8<Float>(-.infinity, -200, 200, .infinity, 0, .nan, 1, -1))
        #expect(sigmoidEnds[0] == 0 && sigmoidEnds[1] == 0 && sigmoidEnds[2] == 1 && sigmoidEnds[3] == 1)
        #expect(sigmoidEnds[4] == 0.5 && sigmoidEnds[5].isNaN)
    }
}

extension VectorMathTests {
    @Test func geluIsWithinTwoAndAHalfTenMillionthsOfItsInputScale() {
        let phi: (Double) -> Double = { 0.5 * Foundation.erfc(-$0 / 2.0.squareRoot()) }
        let cdf = Self.worstError(Self.grid(-12, 12, count: 2_000_001), VectorMath.normalCDFRational, phi) { _ in 1 }
        print("normalCDFRational on [-12, 12]: worst absolute error \(cdf.error) at \(cdf.input)")
        #expect(cdf.error <= 2e-7, "Φ(\(cdf.input)) = \(cdf.got), expected \(cdf.expected)")
        // GELU's error is measured against max(1, |x|): it is x times Φ's.
        var worst: (error: Double, input: Float) = (0, 0)
        let inputs = Self.grid(-30, 30, count: 2_000_001)
        for start in stride(from: 0, to: inputs.count - 8, by: 8) {
            let lanes = SIMD8<Float>(inputs[start..<start + 8])
            let result = VectorMath.gelu(lanes)
            for lane in 0..<8 {
                let x = Double(lanes[lane])
                let error = abs(Double(result[lane]) - x * phi(x)) / max(1, abs(x))
                if !(error <= worst.error) { worst = (error.isNaN ? .infinity : error, lanes[lane]) }
            }
        }
        print("gelu on [-30, 30]: worst error \(worst.error)·max(1, |x|) at \(worst.input)")
        #expect(worst.error <= 2.5e-7, "gelu(\(worst.input))")
        let ends = VectorMath.gelu(SIMD8<Float>(.infinity, -.infinity, 0, -0.0, .nan, 100, -100, 1))
        #expect(ends[0] == .infinity && ends[2] == 0 && ends[3] == 0 && ends[4].isNaN)
        #expect(ends[5] == 100 && ends[6] == 0 && abs(ends[7] - 0.841_344_7) <= 2e-7)
    }

    @Test func expOfNonPositiveIsWithinTwoAndAHalfTenMillionthsRelative() {
        let inputs = Self.grid(-87.3, 0, count: 2_000_001)
        let worst = Self.worstError(inputs, VectorMath.expOfNonPositive, Foundation.exp) { $0 }
        print("expOfNonPositive on [-87.3, 0]: worst relative error \(worst.error) at \(worst.input)")
        #expect(worst.error <= 2.5e-7, "exp(\(worst.input)) = \(worst.got), expected \(worst.expected)")
        let ends = VectorMath.expOfNonPositive(SIMD8<Float>(-.infinity, -88, -100, -1e30, 0, -0.0, .nan, -1))
        #expect(ends[0] == 0 && ends[1] == 0 && ends[2] == 0 && ends[3] == 0 && ends[4] == 1 && ends[5] == 1)
        #expect(ends[6].isNaN && abs(ends[7] - 0.367_879_44) <= 1e-7)
    }
}
