#if arch(x86_64)
import Foundation
import Testing
import TensorEngine
import TensorEngineAVX512

/// The sixteen-lane GELU and GELU′ of the AVX-512 product epilogues (piecewise polynomials from
/// tools/fit_gelu_tables.py) against double-precision references over a dense grid, at every
/// interval boundary of the table, and at the ends: infinities, NaN, signed zeros, far tails.
@Suite(.enabled(if: ProcessorFeatures.hasAVX512, "needs an AVX-512 processor"))
struct GELUAVX512Tests {
    static func phi(_ x: Double) -> Double { 0.5 * Foundation.erfc(-x / 2.0.squareRoot()) }
    static func density(_ x: Double) -> Double { Foundation.exp(-x * x / 2) / (2 * Double.pi).squareRoot() }

    /// A grid over [-12, 12] plus both neighbours of every interval boundary k/4 (k < 32) of |x|.
    static let inputs: [Float] = {
        var values = (0...2_400_000).map { -12 + 24 * Float($0) / 2_400_000 }
        for k in 0...32 {
            let boundary = Float(k) / 4
            for value in [boundary.nextDown, boundary, boundary.nextUp] { values += [value, -value] }
        }
        return values
    }()

    /// The worst of `error(x, f(x))` over `inputs`, sixteen lanes at a time.
    static func worst(_ f: (SIMD16<Float>) -> SIMD16<Float>, error: (Double, Double) -> Double) -> (error: Double, input: Float) {
        var worst: (error: Double, input: Float) = (0, 0)
        var start = 0
        while start < inputs.count {
            var lanes = SIMD16<Float>(repeating: 0)
            let count = min(16, inputs.count - start)
            for lane in 0..<count { lanes[lane] = inputs[start + lane] }
            let result = f(lanes)
            for lane in 0..<count {
                let e = error(Double(lanes[lane]), Double(result[lane]))
                if !(e <= worst.error) { worst = (e.isNaN ? .infinity : e, lanes[lane]) }
            }
            start += 16
        }
        return worst
    }

    @Test func geluIsWithinOneTenMillionthOfItsInputScale() {
        let worst = Self.worst(GELUAVX512.gelu) { x, got in abs(got - x * Self.phi(x)) / max(1, abs(x)) }
        print("sixteen-lane gelu on [-12, 12]: worst error \(worst.error)·max(1, |x|) at \(worst.input)")
        #expect(worst.error <= 1e-7, "gelu(\(worst.input))")
    }

    @Test func derivativeIsWithinTwoTenMillionthsAbsolute() {
        let worst = Self.worst(GELUAVX512.derivative) { x, got in abs(got - (Self.phi(x) + x * Self.density(x))) }
        print("sixteen-lane GELU′ on [-12, 12]: worst absolute error \(worst.error) at \(worst.input)")
        #expect(worst.error <= 2e-7, "GELU′(\(worst.input))")
    }

    @Test func endsAreExact() {
        let x = SIMD16<Float>(.infinity, 0, -0.0, .nan, 100, -100, 6, -6, 1e30, -1e30, 1e-30, -1e-30, 8, -8, 1, -1)
        let gelu = GELUAVX512.gelu(x), derivative = GELUAVX512.derivative(x)
        #expect(gelu[0] == .infinity && gelu[1] == 0 && gelu[2] == 0 && gelu[3].isNaN)
        #expect(gelu[4] == 100 && gelu[5] == 0 && gelu[6] == 6 && gelu[7] == 0 && gelu[8] == 1e30 && gelu[9] == 0)
        #expect(gelu[10] == 0.5e-30 && gelu[11] == -0.5e-30 && gelu[12] == 8 && gelu[13] == 0)
        #expect(abs(gelu[14] - 0.841_344_75) <= 1e-7 && abs(gelu[15] + 0.158_655_25) <= 1e-7)
        #expect(derivative[0] == 1 && derivative[1] == 0.5 && derivative[2] == 0.5 && derivative[3].isNaN)
        #expect(derivative[4] == 1 && derivative[5] == 0 && derivative[8] == 1 && derivative[9] == 0)
        #expect(derivative[10] == 0.5 && derivative[11] == 0.5 && derivative[12] == 1 && derivative[13] == 0)
        #expect(abs(derivative[14] - 1.083_315_5) <= 2e-7 && abs(derivative[15] + 0.083_315_5) <= 2e-7)
    }
}
#endif
