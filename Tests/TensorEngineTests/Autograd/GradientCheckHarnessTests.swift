import Testing
@testable import TensorEngine

/// The harness itself: it must flag a backward that is wrong, or every other check means nothing.
@Suite struct GradientCheckHarnessTests {
    /// `x²` with a deliberately wrong backward (`x` instead of `2x`).
    static func brokenSquare(_ x: Tensor) -> Tensor {
        let out = zipElements(x, x) { $0 * $1 }
        if Tape.needsRecording(x) {
            Tape.record(out) { g in x.accumulateGrad(owned: zipElements(g, x) { $0 * $1 }) }
        }
        return out
    }

    @Test func flagsAWrongBackward() {
        var data = TestData()
        let report = gradientCheck([data.normal([4, 5])]) { Self.brokenSquare($0[0]) }
        #expect(!report.passed)
        #expect(report.mismatches.count > 10)
    }

    @Test func passesACorrectBackward() {
        var data = TestData()
        let report = gradientCheck([data.normal([4, 5])]) { $0[0] * $0[0] }
        #expect(report.passed, "\(report)")
    }
}
